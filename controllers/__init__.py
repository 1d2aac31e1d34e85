from . import portal
from . import termination
from . import amendment_portal
from . import breakdown
from . import equipment_portal
from . import portal_certificate
from . import collection_portal
from . import visit_appointment
