/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Quote to cash: a salesman quotes a service sold under contract and confirms
 * the quotation; the contract it creates is signed, its first period invoiced,
 * the invoice confirmed and paid; the contract shows the invoice paid. The
 * data (customer, product, contract template) is prepared by
 * tests/test_ui_quote_to_cash.py.
 */
const CUSTOMER = "SC Q2C Customer";
const PRODUCT = "SC Q2C Lift Maintenance";

const FORM = ".o_form_view";
const BUTTONS = `${FORM} .o_statusbar_buttons`;
const ORDER_LINES = `${FORM} .o_field_widget[name=order_line]`;
const PERIODS = `${FORM} .o_field_widget[name=period_ids]`;
const INVOICE_LINES = ".o_field_widget[name=invoice_line_ids]";
// The statusbar shows ``label`` as the current state of the record.
const statusIs = (label) => `.o_statusbar_status button.o_arrow_button_current:contains('${label}')`;
// A monetary amount of zero, whatever the currency symbol and its position.
const ZERO = "/^\\D*0\\.00\\D*$/";

/** The digits and separators of a formatted amount: "$ 1,234.50" -> "1,234.50". */
const amountOf = (text) => text.replace(/[^\d.,]/g, "");

/** Fail the tour with ``message`` unless ``condition`` holds. */
function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

registry.category("web_tour.tours").add("service_contract_quote_to_cash_tour", {
    url: "/odoo",
    steps: () => {
        // Read from the screens along the way, checked later on other screens.
        let contractName = "";
        let invoiceTotal = "";
        return [
            // Quotation.
            ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open the Sales app"),
            {
                content: "The quotations are listed",
                trigger: ".o_sale_order .o_control_panel .o_list_button_add:enabled",
                run: "click",
            },
            {
                content: "The new quotation is a draft",
                trigger: `${FORM} .o_form_editable:has(${statusIs("Quotation")}) .o_field_widget[name=partner_id] input`,
                run: `edit ${CUSTOMER}`,
            },
            {
                content: "Choose the customer",
                trigger: `.o-autocomplete--dropdown-item a:contains('${CUSTOMER}')`,
                run: "click",
            },
            {
                content: "The customer is set",
                trigger: `${FORM} .o_field_widget[name=partner_id] input:value(${CUSTOMER})`,
            },
            {
                content: "Add a product",
                trigger: `${ORDER_LINES} .o_field_x2many_list_row_add a:contains('Add a product')`,
                run: "click",
            },
            {
                content: "Type the contract service",
                trigger: `${ORDER_LINES} .o_selected_row .o_field_widget[name=product_template_id] input`,
                run: `edit ${PRODUCT}`,
            },
            {
                content: "Choose the contract service",
                trigger: `.o-autocomplete--dropdown-item a:contains('${PRODUCT}')`,
                run: "click",
            },
            {
                content: "The price of the service is filled in",
                trigger: `${ORDER_LINES} .o_selected_row:has(.o_field_widget[name=product_template_id] input:value(${PRODUCT})) .o_field_cell[name=price_subtotal]:contains('120.00')`,
            },
            {
                content: "Save the quotation",
                trigger: `${FORM} .o_form_button_save:enabled`,
                run: "click",
            },
            {
                content: "The quotation is saved with its line",
                trigger: `${FORM} .o_form_saved .o_field_widget[name=order_line] .o_data_row:contains('${PRODUCT}')`,
            },
            {
                content: "Confirm the quotation",
                trigger: `${BUTTONS} button[name=action_confirm]:enabled`,
                run: "click",
            },
            {
                content: "The quotation is a sales order, with one contract",
                trigger: `${FORM}:has(${statusIs("Sales Order")}) .o-form-buttonbox button[name=action_view_service_contracts]:contains('Contracts'):has(.o_stat_value:contains(/^1$/))`,
            },
            stepUtils.autoExpandMoreButtons(),
            {
                content: "Open the contract of the order",
                trigger: ".o-form-buttonbox button[name=action_view_service_contracts]:enabled, .o-dropdown-item button[name=action_view_service_contracts]:enabled",
                run: "click",
            },
            // Contract: signature.
            {
                content: "The contract waits for the signature",
                trigger: `${FORM}:has(${statusIs("To Sign")}):has(.o_field_widget[name=line_ids] .o_data_row:contains('${PRODUCT}')) .o_field_widget[name=name]:contains('SC/')`,
                run() {
                    contractName = this.anchor.textContent.trim();
                },
            },
            {
                content: "The contract comes from the order",
                trigger: `${FORM} .o-form-buttonbox button[name=action_view_sale_order]`,
            },
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
                content: "The contract is running, and can be invoiced",
                trigger: `${FORM}:has(${statusIs("Running")}) .o_statusbar_buttons button[name=action_create_invoices]:enabled`,
                // the signed PDF is rendered: allow for a slow machine
                timeout: 60000,
            },
            {
                content: "The signature date is set",
                trigger: `${FORM} .o_field_widget[name=date_signed]:contains(/\\d/)`,
            },
            // Billing schedule.
            {
                content: "Open the billing schedule",
                trigger: `${FORM} .o_notebook a.nav-link[name=billing]`,
                run: "click",
            },
            {
                content: "The billing schedule has periods to invoice",
                trigger: `${PERIODS} .o_data_row .o_field_cell[name=state]:contains('To Invoice')`,
            },
            {
                content: "Nothing is invoiced yet",
                trigger: `${FORM} .o_field_widget[name=amount_invoiced]:contains(${ZERO})`,
            },
            {
                content: "Invoice the period due today",
                trigger: `${BUTTONS} button[name=action_create_invoices]:enabled`,
                run: "click",
            },
            // Invoice.
            {
                content: "The draft invoice is open",
                trigger: `${FORM}:has(${statusIs("Draft")}) ${INVOICE_LINES} .o_data_row:contains('${PRODUCT}')`,
            },
            {
                content: "The invoice is linked to one contract",
                trigger: `${FORM} .o-form-buttonbox button[name=action_view_service_contracts]:has(.o_stat_value:contains(/^1$/))`,
            },
            {
                content: "The invoice is for the customer",
                trigger: `${FORM} .o_field_widget[name=partner_id] input:value(${CUSTOMER})`,
            },
            {
                content: "Confirm the invoice",
                trigger: `${BUTTONS} button[name=action_post]:contains('Confirm'):enabled`,
                run: "click",
            },
            {
                content: "The invoice is posted, and can be paid",
                trigger: `${FORM}:has(${statusIs("Posted")}) .o_statusbar_buttons button[name=action_register_payment]:contains('Pay'):enabled`,
                run: "click",
            },
            // Payment.
            {
                content: "The payment is the amount due on the invoice",
                trigger: ".modal .o_field_widget[name=amount] input:value(/\\d/)",
                run() {
                    invoiceTotal = amountOf(this.anchor.value);
                    check(
                        /[1-9]/.test(invoiceTotal),
                        `The payment amount should not be zero: ${invoiceTotal}`
                    );
                },
            },
            {
                content: "The payment goes to a bank or cash journal",
                trigger: ".modal .o_field_widget[name=journal_id] input:value(/\\w/)",
            },
            {
                content: "Create the payment",
                trigger: ".modal .modal-footer button[name=action_create_payments]:enabled",
                run: "click",
            },
            {
                content: "The wizard is closed",
                trigger: "body:not(:has(.modal))",
            },
            {
                content: "The invoice is paid",
                trigger: `${FORM} .ribbon:contains(/^\\s*(Paid|In Payment)\\s*$/)`,
            },
            {
                content: "The invoice can no longer be paid",
                trigger: `${BUTTONS}:not(:has(button[name=action_register_payment]))`,
            },
            // Back to the contract.
            stepUtils.autoExpandMoreButtons(),
            {
                content: "Open the contract of the invoice",
                trigger: ".o-form-buttonbox button[name=action_view_service_contracts]:enabled, .o-dropdown-item button[name=action_view_service_contracts]:enabled",
                run: "click",
            },
            {
                content: "The contract is open, running",
                trigger: `${FORM}:has(${statusIs("Running")}) .o_field_widget[name=name]:contains('SC/')`,
                run() {
                    check(
                        this.anchor.textContent.trim() === contractName,
                        `The invoice should lead to contract ${contractName}, not ${this.anchor.textContent}`
                    );
                },
            },
            {
                content: "The contract has one invoice",
                trigger: `${FORM} .o-form-buttonbox button[name=action_view_invoices]:has(.o_stat_value:contains(/^1$/))`,
            },
            {
                content: "Open the billing schedule again",
                trigger: `${FORM} .o_notebook a.nav-link[name=billing]`,
                run: "click",
            },
            {
                content: "The first period is invoiced",
                trigger: `${PERIODS} .o_data_row:first .o_field_cell[name=state]:contains('Invoiced')`,
            },
            {
                content: "Nothing is due on the contract",
                trigger: `${FORM} .o_field_widget[name=amount_due]:contains(${ZERO})`,
            },
            {
                content: "Nothing is overdue on the contract",
                trigger: `${FORM} .o_field_widget[name=amount_overdue]:contains(${ZERO})`,
            },
            {
                content: "The contract shows the invoice total as invoiced",
                trigger: `${FORM} .o_field_widget[name=amount_invoiced]:contains(/[1-9]/)`,
                run() {
                    check(
                        invoiceTotal && amountOf(this.anchor.textContent) === invoiceTotal,
                        `Invoiced should be ${invoiceTotal}: ${this.anchor.textContent}`
                    );
                },
            },
            {
                content: "The contract shows the invoice total as paid",
                trigger: `${FORM} .o_field_widget[name=amount_paid]:contains(/[1-9]/)`,
                run() {
                    check(
                        invoiceTotal && amountOf(this.anchor.textContent) === invoiceTotal,
                        `Paid should be ${invoiceTotal}: ${this.anchor.textContent}`
                    );
                },
            },
        ];
    },
});
