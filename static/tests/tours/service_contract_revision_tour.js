/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * A manager enters the value of an index published this year
 * (Configuration > Price Indices), selects two contracts in the list,
 * previews their revision (Actions > Revise Prices) and applies it, sends
 * the letters queued (Send Letters on the revisions made); the contract
 * shows its history and the letter to the customer is in its chatter.
 * The data (index with its base value, two running contracts due for
 * revision this month) is prepared by tests/test_ui_revision.py.
 */
const INDEX = "SC Tour Index";
const CONTRACT = "SC Revision Tour";
const VALUE = "110";

const FORM = ".o_form_view";
const MODAL = ".modal .o_form_view";

/** The month the clause reads: the same month as the base, a year later. */
function newMonth() {
    const today = new Date();
    // First of this month, minus one month.
    const month = new Date(today.getFullYear(), today.getMonth() - 1, 1);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(month.getMonth() + 1)}/${pad(month.getDate())}/${month.getFullYear()}`;
}

registry.category("web_tour.tours").add("service_contract_revision_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        // Enter the value of the index.
        {
            content: "Open the Configuration menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='service_contract.service_contract_menu_config']",
            run: "click",
        },
        {
            content: "Open the price indices",
            trigger: ".dropdown-item[data-menu-xmlid='service_contract.service_price_index_menu']",
            run: "click",
        },
        {
            content: "Open the index",
            trigger: `.o_list_view .o_data_row td:contains('${INDEX}')`,
            run: "click",
        },
        {
            content: "Add a value",
            trigger: `${FORM} .o_field_widget[name=value_ids] .o_field_x2many_list_row_add a`,
            run: "click",
        },
        {
            content: "Enter the month",
            trigger: `${FORM} .o_field_widget[name=value_ids] .o_selected_row td[name=date] input`,
            run: `edit ${newMonth()}`,
        },
        {
            content: "Enter the value",
            trigger: `${FORM} .o_field_widget[name=value_ids] .o_selected_row td[name=value] input`,
            run: `edit ${VALUE}`,
        },
        {
            content: "Save the index",
            trigger: `${FORM} .o_form_button_save:enabled`,
            run: "click",
        },
        {
            content: "The index is saved with its new value",
            trigger: `${FORM} .o_form_saved .o_field_widget[name=value_ids] .o_data_row:contains('110.0')`,
        },
        // Select the two contracts and preview their revision.
        ...openMenu("service_contract_menu_contracts", "service_contract_menu"),
        {
            content: "Search the contracts to revise",
            trigger: ".o_control_panel .o_searchview_input",
            run: `edit ${CONTRACT}`,
        },
        {
            content: "Search by reference or description",
            trigger: ".o_searchview_autocomplete .o_menu_item:first",
            run: "click",
        },
        // The list reloads with the search: wait for it, or a row selected
        // in the list before the search is lost when it reloads.
        {
            content: "The search is applied",
            trigger: `.o_searchview_facet:contains('${CONTRACT}')`,
        },
        {
            content: "Only the two contracts are listed",
            trigger: `.o_list_view tbody:not(:has(.o_data_row:nth-child(3))) .o_data_row:nth-child(2):contains('${CONTRACT}')`,
        },
        {
            content: "Select the first contract",
            trigger: `.o_list_view .o_data_row:contains('${CONTRACT} 100') .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select the second contract",
            trigger: `.o_list_view .o_data_row:contains('${CONTRACT} 200') .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Both contracts are selected",
            trigger: ".o_control_panel .o_list_selection_box b:contains('2')",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Revise Prices",
            trigger: ".o-dropdown--menu .o_menu_item:contains('Revise Prices')",
            run: "click",
        },
        // The preview: coefficient 0.15 + 0.85 × 110 / 100 = 1.085.
        {
            content: "The preview lists both contracts with the coefficient",
            trigger: `${MODAL} .o_field_widget[name=line_ids] .o_data_row:contains('SCTOUR 100'):contains('1.085000'):contains('1,302.00')`,
        },
        {
            content: "The second contract is revised too",
            trigger: `${MODAL} .o_field_widget[name=line_ids] .o_data_row:contains('1.085000'):contains('2,604.00')`,
        },
        {
            content: "Apply the revision",
            trigger: ".modal .modal-footer button[name=action_apply]:enabled",
            run: "click",
        },
        {
            content: "The revisions made are listed, their letters to send",
            trigger: ".o_list_view .o_data_row:contains('1.085'):contains('SC Revision Customer'):contains('To Send')",
        },
        // The letters are queued: the manager sends them now.
        {
            content: "Select the revisions",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Send their letters",
            trigger: ".o_control_panel button[name=action_send_letters]",
            run: "click",
        },
        {
            content: "The letters are sent",
            trigger: ".o_list_view .o_data_row:contains('1.085'):contains('Sent'):not(:contains('To Send'))",
        },
        // The contract shows its history and the letter.
        {
            content: "Back to the contracts",
            trigger: ".o_control_panel .breadcrumb-item a:contains('Contracts')",
            run: "click",
        },
        {
            content: "Open the first contract",
            trigger: `.o_list_view .o_data_row:contains('${CONTRACT} 100') td[name=name]`,
            run: "click",
        },
        {
            content: "The new price is on the service line",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row:contains('108.50')`,
        },
        {
            content: "The letter to the customer is in the chatter",
            trigger: `${FORM} .o-mail-Chatter .o-mail-Message:contains('1.085'):has(.o-mail-AttachmentCard, .o-mail-AttachmentList)`,
        },
        {
            content: "Open the revision history",
            trigger: `${FORM} .o-form-buttonbox button[name=action_view_revisions]`,
            run: "click",
        },
        {
            content: "The history lists the revision",
            trigger: ".o_list_view .o_data_row:contains('1.085')",
        },
    ],
});
