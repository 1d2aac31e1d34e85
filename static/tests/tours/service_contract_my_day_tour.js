/** @odoo-module **/

import { drag, queryAll, queryOne } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";

/**
 * A technician's day on a phone (390 x 844): My Day lists today's two visits
 * in order, with the time, the street (a map link) and the contact's phone.
 * The technician opens the first one, starts it, fills the checklist cards
 * (the carbon monoxide out of range turns red), adds a part, has the customer
 * sign and marks it as done; back to My Day, the next visit. The data
 * (technician "sc_day_tech", two visits planned today) is prepared by
 * tests/test_ui_my_day.py.
 */
const FIRST = "SC Day Boulangerie";
const NEXT = "SC Day Pharmacie";
const SIGNER = "Jeanne Client";
const PART = "SC Day Gasket";

const DAY = ".o_service_day_kanban";
const card = (text) => `${DAY} .o_kanban_record:not(.o_kanban_ghost):contains('${text}')`;
const FORM = ".o_form_view";
const ACTIONS = `${FORM} .o_service_day_actions`;
const CHECKS = `${FORM} .o_field_widget[name=checklist_line_ids]`;
const check = (item) => `${CHECKS} .o_kanban_record:contains('${item}')`;

/** Nothing on the page is wider than the screen: no sideways scroll. */
function assertNoSidewaysScroll() {
    const width = document.documentElement.clientWidth;
    const scroller = queryOne(".o_content");
    if (scroller.scrollWidth > scroller.clientWidth + 1) {
        const wide = queryAll(".o_content *").filter(
            (el) => el.getBoundingClientRect().right > width + 1 && el.offsetParent
        );
        const names = wide.slice(-3).map((el) => `${el.tagName}.${el.className}`);
        throw new Error(`Wider than the screen (${width} px): ${names.join(" | ")}`);
    }
}

/** Draws a stroke on the signature canvas, as with a finger. */
async function drawSignature() {
    const canvas = queryOne(".modal canvas.o_web_sign_signature");
    const { moveTo, drop } = await drag(canvas, { position: { x: 30, y: 60 }, relative: true });
    for (const [x, y] of [
        [60, 30],
        [90, 80],
        [120, 35],
        [150, 85],
        [180, 40],
    ]) {
        await moveTo(canvas, { position: { x, y }, relative: true });
    }
    await drop();
}

/** Opens the card of ``item``, types ``value`` in its large input, saves. */
const measure = (item, value) => [
    {
        content: `Open the card of ${item}`,
        trigger: check(item),
        run: "click",
    },
    {
        content: `The whole question of ${item}, its unit and its range`,
        trigger: `.modal h3:contains('${item}')`,
    },
    {
        content: `Enter ${value} in the large input`,
        trigger: ".modal .o_service_checklist_answer .o_field_widget[name=value_float] input",
        run: `edit ${value}`,
    },
    {
        content: "Done typing (the keyboard closes)",
        trigger: `.modal h3:contains('${item}')`,
        run: "click",
    },
];

const saveCheck = (item) => [
    {
        content: `Save the answer of ${item}`,
        trigger: ".modal .o_form_button_save",
        run: "click",
    },
    {
        content: "Back to the cards",
        trigger: `body:not(:has(.modal)) ${check(item)}`,
    },
];

registry.category("web_tour.tours").add("service_contract_my_day_tour", {
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
        // My Day: today's visits in order.
        {
            content: "The technician lands on My Day: the first visit first, at its time",
            trigger: `${DAY} .o_kanban_record:not(.o_kanban_ghost):first:contains('${FIRST}'):contains('08:00')`,
        },
        {
            content: "The next visit follows; tomorrow's visit is not there",
            trigger: `${DAY}:not(:has(.o_kanban_record:contains('SC Day Tomorrow'))) .o_kanban_record:not(.o_kanban_ghost):eq(1):contains('${NEXT}'):contains('14:00')`,
        },
        {
            content: "The street address opens a map",
            trigger: `${card(FIRST)} a.o_service_day_map[href^='https://www.openstreetmap.org/search?query=']:contains('12 rue des Lilas, 38000 Grenoble')`,
        },
        {
            content: "The site contact's phone is a call away; the access code is shown",
            trigger: `${card(FIRST)}:contains('Digicode 1234') a.o_service_day_phone[href='tel:0476000000']`,
            run: assertNoSidewaysScroll,
        },
        {
            content: "Open the first visit",
            trigger: `${card(FIRST)} .o_service_day_time`,
            run: "click",
        },
        // The visit: Start in view.
        {
            content: "Start the visit: a large button in view",
            trigger: `${ACTIONS} button[name=action_start]:enabled`,
            run: "click",
        },
        {
            content: "Started: the clock runs",
            trigger: `${FORM} .alert-info:contains('Started at') .o_field_widget[name=date_started]:contains(/\\d/)`,
            run: assertNoSidewaysScroll,
        },
        // The checklist: one card per check.
        {
            content: "Open the checklist",
            trigger: `${FORM} .o_notebook .nav-link:contains('Checklist')`,
            run: "click",
        },
        {
            content: "The whole question is on its card, with its range",
            trigger: `${check("Carbon monoxide content of the flue gases, measured at the draft hood")}:contains('0 - 50 ppm')`,
            run: assertNoSidewaysScroll,
        },
        {
            content: "Open the card of the burner",
            trigger: check("Burner cleaned"),
            run: "click",
        },
        {
            content: "Tick it",
            trigger: ".modal .o_service_checklist_answer .o_field_widget[name=value_bool] input",
            run: "click",
        },
        ...saveCheck("Burner cleaned"),
        ...measure("Efficiency", "92.5"),
        ...saveCheck("Efficiency"),
        ...measure("Carbon monoxide", "120"),
        {
            content: "Out of range: the value is red as it is typed",
            trigger: ".modal .o_field_widget[name=value_float].text-danger",
        },
        {
            content: "...and the technician is told why",
            trigger: ".modal .alert-danger:contains('Out of range')",
        },
        ...saveCheck("Carbon monoxide"),
        {
            content: "The card of the carbon monoxide is red",
            trigger: `${check("Carbon monoxide")} .o_service_checklist_out.text-danger:contains('120')`,
        },
        {
            content: "The efficiency is within range",
            trigger: `${check("Efficiency")}:contains('92.5'):not(:has(.o_service_checklist_out))`,
        },
        // A part.
        {
            content: "Open the parts",
            trigger: `${FORM} .o_notebook .nav-link:contains('Parts')`,
            run: "click",
        },
        {
            content: "Add a part",
            trigger: `${FORM} .o_field_widget[name=material_line_ids] .o_x2m_control_panel button`,
            run: "click",
        },
        {
            content: "Choose the part: a search screen opens",
            trigger: ".modal .o_field_widget[name=product_id] input",
            run: "click",
        },
        {
            content: "Search the part",
            trigger: ".modal .o_control_panel button:has(.fa-search)",
            run: "click",
        },
        {
            content: "Type its name",
            trigger: ".modal .o_searchview_input",
            run: `edit ${PART} && press Enter`,
        },
        {
            content: "Pick it",
            trigger: `.modal .o_kanban_record:contains('${PART}')`,
            run: "click",
        },
        {
            content: "The part is chosen",
            trigger: `.modal .o_field_widget[name=product_id]:contains('${PART}'), .modal .o_field_widget[name=product_id] input:value('${PART}')`,
        },
        {
            content: "Save the part",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The part is on the visit",
            trigger: `body:not(:has(.modal)) ${FORM} .o_field_widget[name=material_line_ids] .o_kanban_record:contains('${PART}')`,
        },
        // The customer signs across the screen.
        {
            content: "Type the name of the customer who signs",
            trigger: `${ACTIONS} .o_field_widget[name=signed_by] input`,
            run: `edit ${SIGNER}`,
        },
        {
            content: "Sign: the pad opens full screen",
            trigger: `${ACTIONS} .o_field_widget[name=signature] .o_signature_empty`,
            run: "click",
        },
        {
            content: "Draw the signature by hand",
            trigger: ".modal .o_web_sign_draw_button",
            run: "click",
        },
        {
            content: "Sign on the pad, as wide as the screen",
            trigger: ".modal:has(.o_web_sign_draw_button.active) canvas.o_web_sign_signature",
            async run() {
                const canvas = queryOne(".modal canvas.o_web_sign_signature");
                if (canvas.getBoundingClientRect().width < window.innerWidth * 0.8) {
                    throw new Error("The signature pad is not full width");
                }
                await drawSignature();
            },
        },
        {
            content: "Adopt the signature",
            trigger: ".modal .modal-footer button.btn-primary:enabled:contains('Adopt & Sign')",
            run: "click",
        },
        {
            content: "Signed",
            trigger: `body:not(:has(.modal)) ${FORM} .o_field_widget[name=signature] img.o_signature`,
        },
        // Done.
        {
            content: "Done: a large button in view",
            trigger: `${ACTIONS} button[name=action_done]:enabled`,
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM} .o_form_saved .ribbon:contains('Done')`,
        },
        {
            content: "Back to My Day",
            trigger: ".o_back_button",
            run: "click",
        },
        {
            content: "The first visit is done; open the next one",
            trigger: `${card(FIRST)}:contains('Done')`,
        },
        {
            content: "Open the next visit",
            trigger: `${card(NEXT)} .o_service_day_time`,
            run: "click",
        },
        {
            content: "Start it",
            trigger: `${ACTIONS} button[name=action_start]:enabled`,
            run: "click",
        },
        {
            content: "Started",
            trigger: `${FORM} .alert-info:contains('Started at')`,
        },
        {
            content: "Done",
            trigger: `${ACTIONS} button[name=action_done]:enabled`,
            run: "click",
        },
        {
            content: "The next visit is done too",
            trigger: `${FORM} .o_form_saved .ribbon:contains('Done')`,
        },
    ],
});
