from . import service_contract_notice
from . import service_contract_terminate
from . import service_contract_revision_wizard
from . import service_breakdown_report
from . import service_equipment_logbook
from . import sale_make_invoice_advance
from . import service_contract_sign
from . import service_contract_import
