# Copyright 2026 The service_contract authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Service Contracts",
    "summary": "Service contracts for maintenance companies: sites, templates, "
    "signature, renewal, notice and termination",
    "version": "18.0.1.0.0",
    "category": "Services",
    "website": "https://github.com/service-contract/service_contract",
    "author": "service_contract authors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["sale_management", "account", "portal"],
    "data": [
        "security/service_contract_groups.xml",
        "security/ir.model.access.csv",
        "security/service_contract_security.xml",
        "security/service_contract_portal_security.xml",
        "data/service_contract_data.xml",
        "report/service_intervention_reports.xml",
        "report/service_intervention_templates.xml",
        "data/service_intervention_data.xml",
        "report/service_contract_reports.xml",
        "report/service_contract_templates.xml",
        "data/service_contract_mail_data.xml",
        "wizards/service_contract_notice_views.xml",
        "wizards/service_contract_terminate_views.xml",
        "views/service_contract_template_views.xml",
        "views/service_contract_views.xml",
        "views/res_partner_views.xml",
        "views/service_contract_period_views.xml",
        "views/sale_order_views.xml",
        "views/account_move_views.xml",
        "views/product_template_views.xml",
        "views/service_intervention_views.xml",
        "report/sale_order_templates.xml",
        "views/service_contract_menus.xml",
        "views/service_contract_portal_templates.xml",
    ],
    "demo": [
        "demo/service_contract_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "service_contract/static/tests/tours/*.js",
        ],
    },
}
