from . import sql_report
from . import service_contract_alert
from . import service_contract_dashboard
from . import service_contract_mrr_report
from . import service_contract_profitability_report
from . import service_equipment_logbook
from . import service_contract_mrr_month_report
from . import service_visit_rating_dashboard
