/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * The manager's morning: the Contracts app opens on the dashboard; the
 * late visits tile opens the visits behind it, by technician. The data is
 * prepared by tests/test_ui_risk.py.
 */
const TILE = (label) => `.o_kanban_record:has(span:contains('${label}'))`;

registry.category("web_tour.tours").add("service_contract_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Contracts app",
            trigger: ".o_app[data-menu-xmlid='service_contract.service_contract_menu_root']",
            run: "click",
        },
        {
            content: "The manager lands on the dashboard",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('Dashboard')",
        },
        {
            content: "The late visits tile shows the late visit",
            trigger: `${TILE("Late Visits")} .o_service_dashboard_figure:contains('1')`,
        },
        {
            content: "Open the late visits",
            trigger: TILE("Late Visits"),
            run: "click",
        },
        {
            content: "The late visits are listed by technician",
            trigger: ".o_list_view .o_group_name:contains('SC Risk Technician')",
        },
    ],
});
