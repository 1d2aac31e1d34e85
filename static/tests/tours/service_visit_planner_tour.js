/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * A planner plans next week's visits: Interventions > Plan Visits, the two
 * technicians, Plan, then Confirm. The data (technicians, a site with
 * coordinates, three visits to plan next week) is prepared by
 * tests/test_ui_planning.py.
 */
const TECHNICIANS = ["SC Plan Tour Alice", "SC Plan Tour Bob"];
const SITE = "SC Plan Tour Boiler Room";

const FORM = ".o_form_view";
const statusIs = (label) => `.o_statusbar_status button.o_arrow_button_current:contains('${label}')`;

const addTechnician = (name) => [
    {
        content: `Type the technician ${name}`,
        trigger: `${FORM} .o_field_widget[name=user_ids] input`,
        run: `edit ${name}`,
    },
    {
        content: `Choose ${name}`,
        trigger: `.o-autocomplete--dropdown-item a:contains('${name}')`,
        run: "click",
    },
    {
        content: `${name} is chosen`,
        trigger: `${FORM} .o_field_widget[name=user_ids] .o_tag:contains('${name}')`,
    },
];

registry.category("web_tour.tours").add("service_visit_planner_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        ...openMenu("service_intervention_menu_root", "service_visit_planner_menu"),
        {
            content: "New planning",
            trigger: ".o_control_panel .o_list_button_add:enabled",
            run: "click",
        },
        {
            content: "The range is next week by default",
            trigger: `${FORM}:has(${statusIs("Draft")}) .o_field_widget[name=date_from] input:value(/\\d/)`,
        },
        ...TECHNICIANS.flatMap(addTechnician),
        {
            content: "Plan",
            trigger: `${FORM} .o_statusbar_buttons button[name=action_plan]:enabled`,
            run: "click",
        },
        {
            content: "The proposal lists the visits of the site",
            trigger: `${FORM}:has(${statusIs("Proposed")}) .o_field_widget[name=line_ids] .o_data_row:contains('${SITE}')`,
        },
        {
            content: "Confirm",
            trigger: `${FORM} .o_statusbar_buttons button[name=action_confirm]:enabled`,
            run: "click",
        },
        {
            content: "The planning is confirmed",
            trigger: `${FORM}:has(${statusIs("Confirmed")}) .o_statusbar_buttons button[name=action_replan]`,
        },
    ],
});
