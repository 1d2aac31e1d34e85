from . import portal
from . import amendment_portal
