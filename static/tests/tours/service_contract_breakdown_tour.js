/** @odoo-module **/

import { queryOne } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * Portal: the customer opens its equipment, reports a breakdown on the
 * boiler and is told when a technician will answer. Back office: a contract
 * user finds the breakdown with its response deadline. The data is prepared
 * by tests/test_ui_breakdown.py.
 */
const ITEM = "SC BD Tour Boiler";
const SITE = "SC BD Tour Boiler Room";
const CUSTOMER = "SC BD Tour Customer";
const DESCRIPTION = "The boiler stopped overnight, error code E133 on the display.";
const FORM = ".o_form_view";

registry.category("web_tour.tours").add("service_contract_breakdown_portal_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Open the equipment",
            trigger: ".o_portal_docs a[href='/my/equipment']",
            run: "click",
        },
        {
            content: "Open the boiler",
            trigger: `.o_service_equipment_row a:contains('${ITEM}')`,
            run: "click",
        },
        {
            content: "Report a breakdown on it",
            trigger: `.o_service_equipment_page:contains('${ITEM}') a.o_equipment_report_breakdown`,
            run: "click",
        },
        {
            content: "The boiler and its site are chosen",
            trigger: "#breakdown_equipment",
            run() {
                for (const [select, label] of [
                    ["#breakdown_equipment", ITEM],
                    ["#breakdown_site", SITE],
                ]) {
                    const chosen = queryOne(select).selectedOptions[0]?.textContent;
                    if (!chosen?.includes(label)) {
                        throw new Error(`${select}: ${label} is not chosen (${chosen})`);
                    }
                }
            },
        },
        {
            content: "Describe the breakdown",
            trigger: "#breakdown_description",
            run: `edit ${DESCRIPTION}`,
        },
        {
            content: "Send it",
            trigger: ".o_service_breakdown_form button[type=submit]",
            run: "click",
        },
        {
            content: "The breakdown is recorded, with the response deadline",
            trigger: "#breakdown_done:contains('Breakdown recorded'):contains('A technician will answer it by')",
        },
    ],
});

registry.category("web_tour.tours").add("service_contract_breakdown_office_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        ...openMenu("service_intervention_menu_root", "service_intervention_menu_breakdown"),
        {
            content: "The customer's breakdown shows its response deadline",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td[name=date_response_deadline]:not(:empty)`,
        },
        {
            content: "Open it",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td[name=name]`,
            run: "click",
        },
        {
            content: "The form shows the boiler",
            trigger: `${FORM}:contains('${ITEM}')`,
        },
        {
            content: "...and the response deadline, not reached yet",
            // The field is invisible without a deadline.
            trigger: `${FORM} .o_field_widget[name=date_response_deadline]`,
        },
        {
            content: "The response is pending",
            trigger: `${FORM} .o_field_widget[name=response_state]:contains('Within Deadline')`,
        },
    ],
});
