from . import service_contract_terms_mixin
from . import service_mail_compose_mixin
from . import service_state_mixin
from . import service_lifecycle_guard
from . import service_contract_line_mixin
from . import res_partner
from . import service_contract_template
from . import service_contract_template_line
from . import service_contract
from . import service_contract_line
from . import service_contract_invoicing
from . import service_contract_chatel
from . import service_contract_period
from . import account_move
from . import product_template
from . import sale_order
from . import res_company
from . import res_config_settings
from . import service_visit_plan
from . import service_intervention
from . import service_contract_visits
from . import service_contract_alert
from . import service_contract_document

# Last: wraps the contract actions, overrides included.
from . import service_contract_lifecycle
