/** @odoo-module **/

import { drag, queryOne } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";

/**
 * The customer opens the link of the email (with its access token, without
 * logging in), reads the contract, signs it (name and hand-drawn signature)
 * and sees it signed. The contract, waiting for its signature, is prepared
 * by tests/test_ui_portal.py.
 */
const DOCUMENT = "SC tour: the provider services the boiler once a year.";
const SIGNER = "Jeanne Martin";
const MODAL = "#modal_service_contract_sign";

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

registry.category("web_tour.tours").add("service_contract_portal_tour", {
    steps: () => [
        {
            content: "The contract waits for the customer's signature",
            trigger: ".o_service_contract_portal .badge:contains('To Sign')",
        },
        {
            content: "The customer reads the contract",
            trigger: `.o_service_contract_document:contains('${DOCUMENT}')`,
        },
        {
            content: "The sites are listed",
            trigger: "#sites .o_service_contract_site:contains('SC Tour Boiler Room')",
        },
        {
            content: "Sign",
            trigger: ".o_service_contract_sign_button",
            async run(helpers) {
                // The signature form clears its pad once the dialog is shown:
                // mark that moment, then sign.
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
            trigger: ".alert-success:contains('Your contract is signed')",
        },
        {
            content: "The contract is signed and running",
            trigger: `.o_service_contract_portal:has(.badge:contains('Running')) .o_service_contract_signed_by:contains('${SIGNER}')`,
        },
        {
            content: "The signed contract can be downloaded",
            trigger: ".o_service_contract_signed_pdf",
        },
        {
            content: "The signature is shown",
            trigger: "#signature img",
        },
    ],
});
