/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A customer on a phone (390 px) saves a payment method for their contract
 * on the portal, with Odoo's test provider (payment_demo): the contract's
 * page then names it. The data is made by tests/test_ui_collection.py.
 */

/** Nothing sticks out sideways: the page does not scroll horizontally. */
function assertNoSidewaysScroll() {
    const width = document.scrollingElement.scrollWidth;
    if (width > window.innerWidth) {
        throw new Error(`The page is ${width} px wide for ${window.innerWidth} px`);
    }
}

registry.category("web_tour.tours").add("service_contract_collection_tour", {
    steps: () => [
        {
            content: "The contract is paid by hand so far",
            trigger: "#payment_method:contains('You pay each invoice of this contract yourself')",
        },
        {
            content: "Set up automatic payment",
            trigger: "a.o_sc_payment_method_button",
            run: "click",
        },
        {
            content: "The payment form fits the phone",
            trigger: "#o_payment_form",
            run: assertNoSidewaysScroll,
        },
        {
            content: "Choose the test provider's payment method",
            trigger: "input[name='o_payment_radio'][data-provider-code='demo']",
            run: "click",
        },
        {
            content: "Type the (test) card details",
            trigger: "#customer_input",
            run: "edit 4242",
        },
        {
            content: "Save it",
            trigger: "button[name='o_payment_submit_button']:enabled",
            run: "click",
        },
        {
            content: "Back on the contract, paid automatically with the saved card",
            trigger: "#payment_method .o_sc_payment_token:contains('4242')",
        },
        {
            content: "The contract's page fits the phone",
            trigger: "#payment_method",
            run: assertNoSidewaysScroll,
        },
    ],
});
