/** @odoo-module **/

import { drag, queryOne } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * Back office: a user opens a running contract, amends its price and sends
 * the amendment to the customer. Portal: the customer reads the amendment and
 * signs it online. The data is prepared by tests/test_ui_amendment.py.
 */
const CONTRACT = "SC Amend Tour Contract";
const SIGNER = "Jeanne Avenant";
const MODAL = "#modal_amendment_sign";
const FORM = ".o_form_view";
const statusIs = (label) =>
    `.o_statusbar_status button.o_arrow_button_current:contains('${label}')`;

registry.category("web_tour.tours").add("service_contract_amendment_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        ...openMenu("service_contract_menu_contracts", "service_contract_menu"),
        {
            content: "Open the running contract",
            trigger: `.o_list_view .o_data_row td:contains('${CONTRACT}')`,
            run: "click",
        },
        {
            content: "Amend it",
            trigger: `${FORM}:has(${statusIs("Running")}) .o_statusbar_buttons button[name=action_amend]`,
            run: "click",
        },
        {
            content: "The amendment is a draft holding the current service",
            trigger: `${FORM}:has(${statusIs("Draft")}) .o_field_widget[name=line_ids] .o_data_row:contains('SC Amend Tour Service')`,
        },
        {
            content: "Edit the unit price",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row td[name=price_unit]`,
            run: "click",
        },
        {
            content: "Type the new price",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row td[name=price_unit] input`,
            run: "edit 400",
        },
        {
            content: "Save",
            trigger: `${FORM} .o_form_button_save`,
            run: "click",
        },
        {
            content: "Saved: the new amount per period",
            trigger: `${FORM} .o_form_saved .o_field_widget[name=amount_after]:contains('400')`,
        },
        {
            content: "Send it by email",
            trigger: `${FORM} .o_statusbar_buttons button[name=action_send_by_email]`,
            run: "click",
        },
        {
            content: "Send the email",
            trigger: ".modal .o_mail_send, .modal button[name=action_send_mail]",
            run: "click",
        },
        {
            content: "The amendment waits for the customer's signature",
            trigger: `${FORM} ${statusIs("To Sign")}`,
        },
    ],
});

/** Draws a stroke on the signature pad, as with a mouse or a pen. */
async function drawSignature() {
    const canvas = queryOne(".modal canvas.o_web_sign_signature");
    const { moveTo, drop } = await drag(canvas, {
        position: { x: 30, y: 60 },
        relative: true,
    });
    for (const [x, y] of [
        [60, 30],
        [90, 80],
        [120, 35],
        [150, 85],
        [180, 40],
        [220, 70],
    ]) {
        await moveTo(canvas, { position: { x, y }, relative: true });
    }
    await drop();
}

registry.category("web_tour.tours").add("service_contract_amendment_portal_tour", {
    steps: () => [
        {
            content: "The customer reads what changes",
            trigger: ".o_amendment_document .o_amendment_changes:contains('SC Amend Tour Service')",
        },
        {
            content: "Sign",
            trigger: ".o_amendment_sign_button",
            async run(helpers) {
                queryOne(MODAL).addEventListener(
                    "shown.bs.modal",
                    (ev) => ev.target.classList.add("o_tour_shown"),
                    { once: true }
                );
                await helpers.click();
            },
        },
        {
            content: "Type the name of the signer",
            trigger: `${MODAL}.o_tour_shown .o_web_sign_name_input`,
            run: `edit ${SIGNER}`,
        },
        {
            content: "Draw the signature by hand",
            trigger: ".modal.show .o_web_sign_draw_button",
            run: "click",
        },
        {
            content: "Sign on the pad",
            trigger: ".modal.show .o_web_sign_draw_button.active",
            run: drawSignature,
        },
        {
            content: "Validate",
            trigger: ".modal.show .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "The customer is thanked",
            trigger: ".o_amendment_signed:contains('Your amendment is signed')",
        },
        {
            content: "The amendment is signed",
            trigger: `.o_amendment_signed_by:contains('${SIGNER}')`,
        },
    ],
});
