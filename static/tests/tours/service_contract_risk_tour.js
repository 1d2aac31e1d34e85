/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * Risk and spend, in the browser. A technician records the parts and the
 * time of a visit; the manager opens the dashboard (the first screen of the
 * app), drills into the least profitable contract and invoices the part
 * the contract does not cover. The data (technician, customer, site,
 * contract, visits, the part) is prepared by tests/test_ui_reporting.py.
 */
const CUSTOMER = "SC Risk Customer";
const SITE = "SC Risk Boiler Room";
const PART = "SC Risk Valve";
const FORM = ".o_form_view";
const BUTTONS = `${FORM} .o_statusbar_buttons`;
const PARTS = `${FORM} .o_field_widget[name=material_line_ids]`;
const TILE = (label) => `.o_kanban_record:contains('${label}')`;
const statusIs = (label) => `.o_statusbar_status button.o_arrow_button_current:contains('${label}')`;

registry.category("web_tour.tours").add("service_contract_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        {
            content: "The manager lands on the dashboard",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('Dashboard')",
        },
        {
            content: "The late visits tile shows how many there are",
            trigger: `${TILE("Late Visits")} .o_service_dashboard_figure`,
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

registry.category("web_tour.tours").add("service_contract_risk_technician_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        {
            content: "The technician lands on their day",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('My Day')",
        },
        ...openMenu("service_intervention_menu_root", "service_intervention_menu_my"),
        {
            content: "Then their interventions",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('My Interventions')",
        },
        {
            content: "Open the visit of the boiler room",
            trigger: `.o_list_view .o_data_row:contains('${SITE}') td[name=name]`,
            run: "click",
        },
        {
            content: "Record the time spent: 2 h 30",
            trigger: `${FORM} .o_field_widget[name=duration_actual] input`,
            run: "edit 02:30",
        },
        {
            content: "Open the Parts tab",
            trigger: `${FORM} .o_notebook .nav-link:contains('Parts')`,
            run: "click",
        },
        {
            content: "The technician sees no cost nor price",
            trigger: `${PARTS}:not(:has(th[data-name=cost_unit], th[data-name=price_unit], th[data-name=cost_amount]))`,
        },
        {
            content: "Add a part",
            trigger: `${PARTS} .o_field_x2many_list_row_add a`,
            run: "click",
        },
        {
            content: "Choose the part used",
            trigger: `${PARTS} .o_data_row .o_field_widget[name=product_id] input`,
            run: `edit ${PART}`,
        },
        {
            content: "Select it",
            trigger: `.o-autocomplete--dropdown-item:contains('${PART}')`,
            run: "click",
        },
        {
            content: "Two of them",
            trigger: `${PARTS} .o_data_row .o_field_widget[name=quantity] input`,
            run: "edit 2",
        },
        {
            content: "The contract does not cover this part",
            trigger: `${PARTS} .o_data_row .o_field_widget[name=is_covered] input:checked`,
            run: "click",
        },
        {
            content: "The part is not covered",
            trigger: `${PARTS} .o_data_row .o_field_widget[name=is_covered] input:not(:checked)`,
        },
        {
            content: "Save the visit",
            trigger: `${FORM} .o_form_button_save`,
            run: "click",
        },
        {
            content: "The visit is saved with its part",
            trigger: `${FORM} .o_form_saved .o_field_widget[name=material_line_ids] .o_data_row:contains('${PART}')`,
        },
        {
            content: "Mark the visit as done",
            trigger: `${BUTTONS} button[name=action_done]:enabled`,
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM}:has(${statusIs("Done")}) .o_form_saved`,
        },
    ],
});

registry.category("web_tour.tours").add("service_contract_risk_manager_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        {
            content: "The manager lands on the dashboard",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('Dashboard')",
        },
        {
            content: "Open the least profitable contracts",
            trigger: TILE("Least Profitable Contracts"),
            run: "click",
        },
        {
            content: "The least profitable contract comes first: open it",
            trigger: `.o_list_view .o_data_row:first-child:contains('${CUSTOMER}') td[name=name]`,
            run: "click",
        },
        {
            content: "Open the visits of the contract",
            trigger: `${FORM} .o-form-buttonbox button[name=action_view_interventions]`,
            run: "click",
        },
        {
            content: "Show the done visits too",
            trigger: ".o_control_panel .o_searchview_facet:contains('Open') .o_facet_remove",
            run: "click",
        },
        {
            content: "Open the visit done in the boiler room",
            trigger: `.o_list_view .o_data_row:contains('${SITE}') td[name=name]`,
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM}:has(${statusIs("Done")})`,
        },
        {
            content: "Invoice what the contract does not cover",
            trigger: `${BUTTONS} button[name=action_create_invoice]:enabled`,
            run: "click",
        },
        {
            content: "The invoice holds the part not covered",
            trigger: `.o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row:contains('${PART}')`,
        },
        {
            content: "The invoice is for the customer",
            trigger: `.o_form_view .o_field_widget[name=partner_id] input:value(/${CUSTOMER}/)`,
        },
    ],
});
