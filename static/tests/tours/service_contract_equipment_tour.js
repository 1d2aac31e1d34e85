/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * Back office: a contract user records a heat pump on a customer's site,
 * names it on the service of the customer's contract and finds it in the
 * equipment the contract covers. The data is prepared by
 * tests/test_ui_equipment.py.
 */
const CUSTOMER = "SC EQ Tour Customer";
const SITE = "SC EQ Tour Plant Room";
const ITEM = "SC EQ Tour Heat Pump";
const CONTRACT = "SC EQ Tour Contract";
const FORM = ".o_form_view";

/** Steps typing ``text`` in the many2one ``field`` and choosing ``label``. */
const pick = (field, text, label) => [
    {
        content: `Type in ${field}`,
        trigger: `${FORM} .o_field_widget[name=${field}] input`,
        run: `edit ${text}`,
    },
    {
        content: `Choose ${label}`,
        trigger: `.o-autocomplete--dropdown-menu .dropdown-item:contains('${label}')`,
        run: "click",
    },
];

registry.category("web_tour.tours").add("service_contract_equipment_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        ...openMenu("service_contract_menu_contracts", "service_equipment_menu"),
        {
            content: "Create an item",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: `${FORM} .o_field_widget[name=name] input`,
            run: `edit ${ITEM}`,
        },
        ...pick("partner_id", CUSTOMER, CUSTOMER),
        ...pick("site_id", "Plant Room", SITE),
        {
            content: "Its brand",
            trigger: `${FORM} .o_field_widget[name=brand] input`,
            run: "edit Atlantic",
        },
        {
            content: "Save",
            trigger: `${FORM} .o_form_button_save`,
            run: "click",
        },
        {
            content: "Saved",
            trigger: `${FORM} .o_form_saved`,
        },
        ...openMenu("service_contract_menu_contracts", "service_contract_menu"),
        {
            content: "Open the customer's contract",
            trigger: `.o_list_view .o_data_row td:contains('${CONTRACT}')`,
            run: "click",
        },
        {
            content: "Edit the equipment of its service",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row td[name=equipment_ids]`,
            run: "click",
        },
        {
            content: "Type the item",
            trigger: `${FORM} .o_field_widget[name=line_ids] .o_data_row td[name=equipment_ids] input`,
            run: "edit Heat Pump",
        },
        {
            content: "Choose it",
            trigger: `.o-autocomplete--dropdown-menu .dropdown-item:contains('${ITEM}')`,
            run: "click",
        },
        {
            content: "Save the contract",
            trigger: `${FORM} .o_form_button_save`,
            run: "click",
        },
        {
            content: "Saved: the contract covers one item",
            trigger: `${FORM} .o_form_saved .o_field_widget[name=line_ids] td[name=equipment_ids]:contains('${ITEM}')`,
        },
        {
            content: "Open the equipment it covers",
            trigger: ".o-form-buttonbox button[name=action_view_equipment]:contains('1')",
            run: "click",
        },
        {
            content: "The heat pump is in the equipment the contract covers",
            trigger: `.o_list_view .o_data_row:contains('${ITEM}'):contains('${SITE}')`,
        },
    ],
});
