from . import service_contract_notice
from . import service_contract_terminate
