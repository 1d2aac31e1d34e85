from . import test_date_utils
from . import test_lifecycle
from . import test_partner
from . import test_template
from . import test_ui
from . import test_security
from . import test_invoicing
from . import test_invoicing_concurrency
