/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An administrator opens the module's settings: the First Steps block comes
 * first, names the default journal of contract invoices and links to the
 * contract sequence, the journals, the templates and the users. The
 * sequence link opens the sequence numbering the contracts.
 */
const APP = ".app_settings_block[data-key=service_contract]";
const BLOCK = `${APP} .o_settings_container:first`;

registry.category("web_tour.tours").add("service_contract_settings_tour", {
    steps: () => [
        {
            content: "The First Steps block comes first in the module's settings",
            trigger: `${APP} > h2:first:contains(First Steps)`,
        },
        {
            content: "Its first setting is the contract numbers",
            trigger: `${BLOCK} .o_setting_box:first:contains(Contract numbers)`,
        },
        {
            content: "It names the journal of contract invoices",
            trigger: `${BLOCK} .o_field_widget[name=service_default_journal_id]:contains(SC Settings Sales)`,
        },
        {
            content: "It links to the journals, the templates and the users",
            trigger: `${BLOCK}:has(button:contains(Journals)):has(button:contains(Contract Templates)):has(button:contains(Users))`,
        },
        {
            content: "Open the contract sequence",
            trigger: `${BLOCK} button[name=action_open_service_contract_sequence]`,
            run: "click",
        },
        {
            content: "The sequence numbering the contracts opens",
            trigger: ".o_form_view .o_field_widget[name=code] input:value(service.contract)",
        },
    ],
});
