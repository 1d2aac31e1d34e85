# report first: the SQL reports' base and the Alerts list, which the
# concerns in models/ extend.
from . import report
from . import models
from . import wizards
from . import controllers
