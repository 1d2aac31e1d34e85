from . import portal
from . import equipment_portal
