/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A manager opens a price index, sees its values by month ("08/2023") and
 * enters the next month's value, typed on any day of that month. The index
 * is prepared by tests/test_revision_index.py.
 */
const FORM = ".o_form_view";
const VALUES = `${FORM} .o_field_widget[name=value_ids]`;

registry.category("web_tour.tours").add("service_price_index_tour", {
    steps: () => [
        {
            content: "Open the index",
            trigger: ".o_list_view .o_data_row td[name=code]:contains(T-TOUR)",
            run: "click",
        },
        {
            content: "Its values are shown by month",
            trigger: `${VALUES} .o_data_row td[name=date]:contains(08/2023)`,
        },
        {
            content: "Add a value",
            trigger: `${VALUES} .o_field_x2many_list_row_add a`,
            run: "click",
        },
        {
            content: "Any day of the month",
            trigger: `${VALUES} .o_selected_row td[name=date] input`,
            run: "edit 09/15/2023",
        },
        {
            content: "The value",
            trigger: `${VALUES} .o_selected_row td[name=value] input`,
            run: "edit 131.2",
        },
        {
            content: "Save",
            trigger: `${FORM} .o_form_button_save:enabled`,
            run: "click",
        },
        {
            content: "The new month is listed",
            trigger: `${FORM} .o_form_saved .o_field_widget[name=value_ids] .o_data_row td[name=date]:contains(09/2023)`,
        },
    ],
});
