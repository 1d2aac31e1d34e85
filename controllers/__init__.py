from . import portal
from . import breakdown
