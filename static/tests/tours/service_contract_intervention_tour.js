/** @odoo-module **/

import { drag, hover, queryFirst, queryOne, queryRect, waitFor } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";
import { openContractsApp, openMenu } from "@service_contract/../tests/tours/tour_steps";

/**
 * A planner drags an unplanned visit onto a day of the technician in the
 * intervention calendar; the technician opens it, starts it, writes the
 * report, has the customer sign and marks it as done. The data (technician
 * "tech", customer, site, running contract with one visit due today) is
 * prepared by tests/test_ui_intervention.py.
 */
const TECHNICIAN = "SC Tour Technician";
const SIGNER = "Jeanne Client";
const REPORT = "Burner cleaned, flue checked, combustion analysis within limits.";
// The visit is dropped at this time of the day.
const DROP_TIME = "10:00";

const FORM = ".o_form_view";
const BUTTONS = `${FORM} .o_statusbar_buttons`;
// The statusbar shows ``label`` as the current state of the record.
const statusIs = (label) => `.o_statusbar_status button.o_arrow_button_current:contains('${label}')`;
// The (timed) events of the week view of the calendar.
const EVENT = ".fc-timegrid-col .fc-timegrid-event.o_event";

/** Resolves after the browser rendered a frame (lets FullCalendar react). */
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Drags the only event of the week to DROP_TIME the next day (or the same
 * day when it is the last day shown), like a user with the mouse: grab the
 * top of the event, move to the slot, release. Waits until the calendar
 * shows the event at its new place.
 */
async function dragVisitToNextDay() {
    const event = queryOne(EVENT);
    const column = event.closest(".fc-timegrid-col[data-date]");
    const next = column.nextElementSibling;
    const targetDate = next?.matches(".fc-timegrid-col[data-date]")
        ? next.dataset.date
        : column.dataset.date;
    const slot = queryFirst(`.fc-timegrid-slot-lane[data-time='${DROP_TIME}:00']`);
    // Both the event (08:00) and the slot must be within the visible area.
    slot.scrollIntoView({ behavior: "instant", block: "center" });
    await nextFrame();
    const slotRect = queryRect(slot);
    const dayRect = queryRect(`.fc-col-header-cell.fc-day[data-date='${targetDate}']`);

    await hover(event, { position: { y: 1 }, relative: true });
    await nextFrame();
    const { moveTo, drop } = await drag(event, { position: { y: 1 }, relative: true });
    await nextFrame();
    // First a small move so that FullCalendar starts dragging the event...
    await moveTo(event, { position: { y: 12 }, relative: true });
    await nextFrame();
    // ...then to the top of the slot, in the middle of the target day.
    await moveTo(slot, {
        position: { x: dayRect.x + dayRect.width / 2, y: slotRect.y + 1 },
    });
    await nextFrame();
    await drop();
    await waitFor(
        `.fc-timegrid-col[data-date='${targetDate}'] .o_event:contains('${DROP_TIME}')`,
        { timeout: 10000 }
    );
}

/** Draws a stroke on the signature canvas, as with a mouse or a pen. */
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

registry.category("web_tour.tours").add("service_contract_planner_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        ...openMenu("service_intervention_menu_root", "service_intervention_menu_calendar"),
        {
            content: "The planning is a calendar of the week",
            trigger: ".o_calendar_view .fc-timeGridWeek-view .fc-timegrid-slot-lane",
        },
        // Only the technician's visits.
        {
            content: "Search the technician",
            trigger: ".o_control_panel .o_searchview_input",
            run: `edit ${TECHNICIAN}`,
        },
        {
            content: "Search the visits of this technician",
            trigger: ".o_searchview_autocomplete .o_menu_item:not(.o_indent):has(b:contains(/^Technician$/))",
            run: "click",
        },
        {
            content: "The visits of the technician are shown",
            trigger: `.o_control_panel .o_searchview_facet:contains('${TECHNICIAN}')`,
        },
        {
            content: "The technician is in the calendar's filters",
            trigger: `.o_calendar_filter .o_calendar_filter_item:contains('${TECHNICIAN}') input:checked`,
        },
        {
            content: "The unplanned visit is shown on its due date at 08:00",
            trigger: `${EVENT}:contains('08:00'):contains('INT/')`,
        },
        {
            content: "Drag the visit to 10:00 the next day",
            trigger: `${EVENT}:contains('08:00')`,
            run: dragVisitToNextDay,
        },
        {
            content: "The visit is at 10:00: open it",
            trigger: `${EVENT}:contains('${DROP_TIME}')`,
            run: "click",
        },
        {
            content: "The visit is planned",
            trigger: ".o_cw_popover .o_cw_popover_field:contains('Planned')",
        },
        {
            content: "Open the visit",
            trigger: ".o_cw_popover .o_cw_popover_edit",
            run: "click",
        },
        {
            content: "The visit is planned at 10:00 for the technician",
            trigger: `${FORM}:has(${statusIs("Planned")}) .o_field_widget[name=date_planned_start] input:value(/ ${DROP_TIME}/)`,
        },
        {
            content: "The technician is kept",
            trigger: `${FORM} .o_field_widget[name=user_id] input:value(${TECHNICIAN})`,
        },
        {
            content: "The visit can be started",
            trigger: `${BUTTONS} button[name=action_start]:enabled`,
        },
    ],
});

registry.category("web_tour.tours").add("service_contract_technician_tour", {
    url: "/odoo",
    steps: () => [
        ...openContractsApp(),
        {
            content: "The technician lands on their day (the visit is planned for another day)",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('My Day')",
        },
        ...openMenu("service_intervention_menu_root", "service_intervention_menu_my"),
        {
            content: "Then their interventions",
            trigger: ".o_control_panel .o_last_breadcrumb_item:contains('My Interventions')",
        },
        {
            content: "Open the planned visit",
            trigger: ".o_list_view .o_data_row:contains('SC Visit Customer'):contains('SC Visit Boiler Room') td[name=name]",
            run: "click",
        },
        {
            content: "The visit is planned and can be started",
            trigger: `${FORM}:has(${statusIs("Planned")}) .o_statusbar_buttons button[name=action_start]:enabled`,
        },
        // Start the clock.
        {
            content: "Start the visit",
            trigger: `${BUTTONS} button[name=action_start]:enabled`,
            run: "click",
        },
        {
            content: "The visit is started",
            trigger: `${FORM} .alert-info:contains('Started at') .o_field_widget[name=date_started]:contains(/\\d/)`,
        },
        {
            content: "The clock can be stopped",
            trigger: `${BUTTONS}:not(:has(button[name=action_start])) button[name=action_finish]:enabled`,
        },
        // Report.
        {
            content: "Open the Report tab",
            trigger: `${FORM} .o_notebook .nav-link:contains('Report')`,
            run: "click",
        },
        {
            content: "Focus the report",
            trigger: `${FORM} .o_field_html[name=report] .odoo-editor-editable`,
            run: "click",
        },
        {
            content: "Write the report",
            trigger: `${FORM} .o_field_html[name=report] .odoo-editor-editable p, ${FORM} .o_field_html[name=report] .odoo-editor-editable div.o-paragraph`,
            run: `editor ${REPORT}`,
        },
        {
            content: "The report is written",
            trigger: `${FORM} .o_field_html[name=report] .odoo-editor-editable:contains('Burner cleaned')`,
        },
        // Customer signature.
        {
            content: "Type the name of the customer who signs",
            trigger: `${FORM} .o_field_widget[name=signed_by] input`,
            run: `edit ${SIGNER}`,
        },
        {
            content: "Open the signature pad",
            trigger: `${FORM} .o_field_widget[name=signature] .o_signature_empty`,
            run: "click",
        },
        {
            content: "Draw the signature by hand",
            trigger: ".modal .o_web_sign_draw_button",
            run: "click",
        },
        {
            content: "The pad is blank: nothing to adopt yet",
            trigger: ".modal:has(.o_web_sign_draw_button.active) .modal-footer button.btn-primary:disabled:contains('Adopt & Sign')",
        },
        {
            content: "Sign on the pad",
            trigger: ".modal:has(.o_web_sign_draw_button.active) canvas.o_web_sign_signature",
            run: drawSignature,
        },
        {
            content: "Adopt the signature",
            trigger: ".modal .modal-footer button.btn-primary:enabled:contains('Adopt & Sign')",
            run: "click",
        },
        {
            content: "The signature pad is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The signature is shown",
            trigger: `${FORM} .o_field_widget[name=signature] img.o_signature`,
        },
        // Done.
        {
            content: "Mark the visit as done",
            trigger: `${BUTTONS} button[name=action_done]:enabled`,
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: `${FORM}:has(${statusIs("Done")}) .o_form_saved .ribbon:contains('Done')`,
        },
        {
            content: "The report and the signature can no longer be changed",
            trigger: `${FORM} .o_field_widget[name=signed_by].o_readonly_modifier:contains('${SIGNER}')`,
        },
        {
            content: "The report can be sent to the customer",
            trigger: `${BUTTONS} button[name=action_send_report]:enabled`,
        },
    ],
});
