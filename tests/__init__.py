from . import test_date_utils
