from . import service_contract_dashboard
