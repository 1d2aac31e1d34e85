from . import service_contract_terms_mixin
from . import service_contract_line_mixin
from . import res_partner
from . import service_contract_template
from . import service_contract_template_line
from . import service_contract
from . import service_contract_line
