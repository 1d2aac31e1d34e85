/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * On a phone (390 x 844): the technician taps "On My Way" on the card of
 * today's visit in My Day (the customer is told, the button goes), opens the
 * visit and closes it. The data (technician "sc_way_tech", one visit planned
 * today) is prepared by tests/test_ui_on_my_way.py.
 */
const SITE = "SC Way Boulangerie";
const DAY = ".o_service_day_kanban";
const CARD = `${DAY} .o_kanban_record:not(.o_kanban_ghost):contains('${SITE}')`;
const FORM = ".o_form_view";
const ACTIONS = `${FORM} .o_service_day_actions`;

registry.category("web_tour.tours").add("service_contract_on_my_way_tour", {
    steps: () => [
        {
            content: "The screen is a phone's",
            trigger: "body",
            run() {
                if (window.innerWidth > 400) {
                    throw new Error(`The screen is ${window.innerWidth} pixels wide, not a phone's`);
                }
            },
        },
        {
            content: "Leaving for the visit: tap On My Way on its card",
            trigger: `${CARD} button.o_service_on_my_way`,
            run: "click",
        },
        {
            content: "The customer is told: the button is gone",
            trigger: `${CARD}:not(:has(button.o_service_on_my_way))`,
        },
        {
            content: "Open the visit",
            trigger: `${CARD} .o_service_day_time`,
            run: "click",
        },
        {
            content: "No second On My Way on the visit",
            trigger: `${ACTIONS}:not(:has(button[name=action_on_my_way]:visible)) button[name=action_done]:enabled`,
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM} .o_form_saved .ribbon:contains('Done')`,
        },
    ],
});
