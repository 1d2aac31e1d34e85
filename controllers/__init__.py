from . import portal
from . import termination
