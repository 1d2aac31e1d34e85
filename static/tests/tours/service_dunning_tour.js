/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An accountant opens the Dunning screen and runs it: the reminder of the
 * customer with an overdue contract invoice appears in the list.
 */
registry.category("web_tour.tours").add("service_dunning_tour", {
    steps: () => [
        {
            content: "The Dunning screen opens, with its Run Dunning button",
            trigger: ".o_list_view button[name=action_run_dunning]",
            run: "click",
        },
        {
            content: "Search the customer",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Type its name in the search bar",
            trigger: ".o_control_panel .o_searchview_input",
            run: "edit SC Dunning Tour Customer",
        },
        {
            content: "Search it as the customer",
            trigger: ".o_searchview_autocomplete .o_menu_item:not(.o_indent):has(b:contains(/^Customer$/))",
            run: "click",
        },
        {
            content: "The customer's reminder is in the list",
            trigger: ".o_list_view .o_data_row:contains(SC Dunning Tour Customer):contains(Reminder)",
        },
    ],
});
