/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A technician opens their visit on a phone (390 pixels wide), fills the
 * checklist of the boiler (a CO measure out of range turns red) and marks the
 * visit as done. The data (technician "sc_check_tour_tech", customer, boiler
 * with its checklist, visit) is prepared by tests/test_ui_checklist.py.
 */
const CUSTOMER = "SC Checklist Customer";
const FORM = ".o_form_view";
const LINES = `${FORM} .o_field_widget[name=checklist_line_ids]`;
const row = (item) => `${LINES} .o_data_row:contains('${item}')`;
const editedRow = (item) => `${LINES} .o_data_row.o_selected_row:contains('${item}')`;

registry.category("web_tour.tours").add("service_contract_checklist_tour", {
    steps: () => [
        {
            content: "The screen is a phone's",
            trigger: "body",
            run() {
                if (window.innerWidth > 400) {
                    throw new Error(`The screen is ${window.innerWidth} pixels wide, not a phone's`);
                }
            },
        },
        {
            content: "Open the visit of the day",
            trigger: `.o_kanban_record:contains('${CUSTOMER}'), .o_data_row:contains('${CUSTOMER}') td[name=name]`,
            run: "click",
        },
        {
            content: "Open the checklist",
            trigger: `${FORM} .o_notebook .nav-link:contains('Checklist')`,
            run: "click",
        },
        {
            content: "The checklist of the boiler is shown",
            trigger: `${row("Carbon monoxide")}:contains('0 - 50 ppm')`,
        },
        {
            content: "Check the burner",
            trigger: `${row("Burner cleaned")} td[name=name]`,
            run: "click",
        },
        {
            content: "Tick it",
            trigger: `${editedRow("Burner cleaned")} .o_field_widget[name=value_bool] input`,
            run: "click",
        },
        {
            content: "Measure the efficiency",
            trigger: `${row("Efficiency")} td[name=name]`,
            run: "click",
        },
        {
            content: "Enter the efficiency",
            trigger: `${editedRow("Efficiency")} .o_field_widget[name=value_float] input`,
            run: "edit 92.5",
        },
        {
            content: "Measure the carbon monoxide",
            trigger: `${row("Carbon monoxide")} td[name=name]`,
            run: "click",
        },
        {
            content: "Enter a CO content far above the limit",
            trigger: `${editedRow("Carbon monoxide")} .o_field_widget[name=value_float] input`,
            run: "edit 120",
        },
        {
            content: "Move on to the advice",
            trigger: `${row("Advice to the customer")} td[name=name]`,
            run: "click",
        },
        {
            content: "The CO measure is out of range: shown in red",
            trigger: `${LINES} .o_data_row.text-danger:contains('Carbon monoxide'):contains('120')`,
        },
        {
            content: "The efficiency is within range",
            trigger: `${LINES} .o_data_row:not(.text-danger):contains('Efficiency'):contains('92.5')`,
        },
        {
            content: "Save the visit",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved; the visit warns about the measure out of range",
            trigger: `${FORM} .alert-danger:contains('out of range'):not(:has(.d-none))`,
        },
        {
            content: "Open the actions of the visit",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Mark the visit as done",
            trigger: ".o-dropdown--menu button[name=action_done]",
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM} .ribbon:contains('Done')`,
        },
        {
            content: "The answers can no longer change",
            trigger: `${LINES} .o_data_row.text-danger:contains('Carbon monoxide')`,
        },
    ],
});
