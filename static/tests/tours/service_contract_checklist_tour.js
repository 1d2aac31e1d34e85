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
const card = (item) => `${LINES} .o_kanban_record:contains('${item}')`;

/** Opens the card of ``item``: its answer, full screen. */
const openCard = (item) => ({
    content: `Open the card of ${item}`,
    trigger: card(item),
    run: "click",
});

/** Saves the answer and comes back to the cards. */
const saveCard = (item) => [
    {
        content: `Save the answer of ${item}`,
        trigger: ".modal .o_form_button_save",
        run: "click",
    },
    {
        content: "Back to the cards",
        trigger: `body:not(:has(.modal)) ${card(item)}`,
    },
];

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
            content: "The checklist of the boiler is shown, one card per check",
            trigger: `${card("Carbon monoxide")}:contains('0 - 50 ppm')`,
        },
        openCard("Burner cleaned"),
        {
            content: "Tick it",
            trigger: ".modal .o_field_widget[name=value_bool] input",
            run: "click",
        },
        ...saveCard("Burner cleaned"),
        openCard("Efficiency"),
        {
            content: "Enter the efficiency",
            trigger: ".modal .o_field_widget[name=value_float] input",
            run: "edit 92.5",
        },
        ...saveCard("Efficiency"),
        openCard("Carbon monoxide"),
        {
            content: "Enter a CO content far above the limit",
            trigger: ".modal .o_field_widget[name=value_float] input",
            run: "edit 120",
        },
        ...saveCard("Carbon monoxide"),
        {
            content: "The CO measure is out of range: shown in red",
            trigger: `${card("Carbon monoxide")} .text-danger:contains('120')`,
        },
        {
            content: "The efficiency is within range",
            trigger: `${card("Efficiency")}:contains('92.5'):not(:has(.text-danger))`,
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
            content: "Mark the visit as done: a large button in view",
            trigger: `${FORM} .o_service_day_actions button[name=action_done]`,
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM} .ribbon:contains('Done')`,
        },
        {
            content: "The answers can no longer change",
            trigger: `${card("Carbon monoxide")} .text-danger:contains('120')`,
        },
    ],
});
