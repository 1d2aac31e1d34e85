/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * A user creates a contract from a template, sends it for signature, marks it
 * as signed and registers the customer's notice. The data (customer, site,
 * template) is prepared by tests/test_ui_contract.py.
 */
const CUSTOMER = "SC Tour Customer";
const SITE = "SC Tour Site";
const TEMPLATE = "SC Tour Template";
const REASON = "SC tour: the customer moves out of the building";

const FORM = ".o_form_view";
const BUTTONS = `${FORM} .o_statusbar_buttons`;
// The statusbar shows ``label`` as the current state of the record.
const statusIs = (label) => `.o_statusbar_status button.o_arrow_button_current:contains('${label}')`;

registry.category("web_tour.tours").add("service_contract_tour", {
    url: "/odoo",
    steps: () => [
        // Open the Contracts app from the home menu.
        ...openContractsApp(),
        ...openMenu("service_contract_menu_contracts", "service_contract_menu"),
        {
            content: "Create a new contract",
            trigger: ".o_control_panel .o_list_button_add:enabled",
            run: "click",
        },
        {
            content: "The new contract is a draft",
            trigger: `${FORM} .o_form_editable:has(${statusIs("Draft")}) .o_field_widget[name=partner_id]`,
        },
        // Customer.
        {
            content: "Type the customer",
            trigger: `${FORM} .o_field_widget[name=partner_id] input`,
            run: `edit ${CUSTOMER}`,
        },
        {
            content: "Choose the customer",
            trigger: `.o-autocomplete--dropdown-item a:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            content: "The signatory is filled in from the customer's contacts",
            trigger: `${FORM} .o_field_widget[name=signatory_id] input:value(SC Tour Signatory)`,
        },
        // Site.
        {
            content: "Type the site",
            trigger: `${FORM} .o_field_widget[name=site_ids] input`,
            run: `edit ${SITE}`,
        },
        {
            content: "Choose the site",
            trigger: `.o-autocomplete--dropdown-item a:contains('${SITE}')`,
            run: "click",
        },
        {
            content: "The site is added",
            trigger: `${FORM} .o_field_widget[name=site_ids] .o_tag:contains('${SITE}')`,
        },
        // Template: its services and terms are copied.
        {
            content: "Type the template",
            trigger: `${FORM} .o_field_widget[name=template_id] input`,
            run: `edit ${TEMPLATE}`,
        },
        {
            content: "Choose the template",
            trigger: `.o-autocomplete--dropdown-item a:contains('${TEMPLATE}')`,
            run: "click",
        },
        {
            content: "The first service of the template is copied",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row:contains('SC Tour Boiler Check')`,
        },
        {
            content: "The second service of the template is copied",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row:contains('SC Tour Breakdown Cover')`,
        },
        {
            content: "The description comes from the template",
            trigger: `${FORM} .o_field_widget[name=title] input:value(${TEMPLATE})`,
        },
        // Save.
        {
            content: "Save the contract",
            trigger: `${FORM} .o_form_button_save:enabled`,
            run: "click",
        },
        {
            content: "The contract is saved, has its reference and its chatter",
            trigger: `${FORM} .o_form_saved:has(.o_field_widget[name=name]:contains('SC/')) .o-mail-Message-body:contains('Service Contract created')`,
        },
        // Send for signature.
        {
            content: "Send the contract for signature",
            trigger: `${BUTTONS} button[name=action_to_sign]:enabled`,
            run: "click",
        },
        {
            content: "The contract waits for the signature, and can be signed",
            trigger: `${FORM}:has(${statusIs("To Sign")}) .o_statusbar_buttons button[name=action_open_sign_wizard].btn-primary:enabled`,
        },
        // Signature.
        {
            content: "Mark the contract as signed: the signature wizard opens",
            trigger: `${BUTTONS} button[name=action_open_sign_wizard].btn-primary:enabled`,
            run: "click",
        },
        {
            content: "No signed copy at hand: say why",
            trigger: ".modal .o_field_widget[name=no_document_reason] input",
            run: "edit Signed on paper, copy to come",
        },
        {
            content: "Confirm the signature",
            trigger: ".modal button[name=action_confirm]:enabled",
            run: "click",
        },
        {
            content: "The contract is running, and notice can be registered",
            trigger: `${FORM}:has(${statusIs("Running")}) .o_statusbar_buttons button[name=action_open_notice_wizard]:enabled`,
            // the signed PDF is rendered: allow for a slow machine
            timeout: 60000,
        },
        {
            content: "The signature date is set",
            trigger: `${FORM} .o_field_widget[name=date_signed]:contains(/\\d/)`,
        },
        // Notice.
        {
            content: "Register the customer's notice",
            trigger: `${BUTTONS} button[name=action_open_notice_wizard]:enabled`,
            run: "click",
        },
        {
            content: "The notice is given by the customer",
            trigger: ".modal .o_field_widget[name=notice_by] input[data-value=customer]:checked",
        },
        {
            content: "The notice is before the notice deadline: no late warning",
            trigger: ".modal .o_form_view:not(:has(.alert-warning)) .o_field_widget[name=notice_deadline]:contains(/\\d/)",
        },
        {
            content: "Write the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: `edit ${REASON}`,
        },
        {
            content: "Confirm the notice",
            trigger: ".modal .modal-footer button[name=action_confirm]:enabled",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The notice banner is shown",
            trigger: `${FORM} .alert-warning:contains('Notice received on'):contains('will not be renewed') .o_field_widget[name=notice_date]:contains(/\\d/)`,
        },
        {
            content: "The notice can no longer be registered",
            trigger: `${BUTTONS}:not(:has(button[name=action_open_notice_wizard]))`,
        },
        {
            content: "The contract is still running until the end of its term",
            trigger: `${FORM}:has(${statusIs("Running")}) .o_statusbar_buttons button[name=action_open_terminate_wizard]:enabled`,
        },
        {
            content: "The notice is logged in the chatter",
            trigger: `${FORM} .o-mail-Chatter .o-mail-Message-body:contains('Notice received on'):contains('${REASON}')`,
        },
    ],
});
