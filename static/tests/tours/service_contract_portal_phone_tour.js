/** @odoo-module **/

import { queryAll, queryOne } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";

/**
 * The customer on a phone (390 px): home, contracts as cards, a contract
 * and its visits (date, status and report in view), equipment, a breakdown
 * reported from an item without choosing its site, the confirmation with
 * a local date. The data is made by tests/test_ui_portal_phone.py.
 */
const CONTRACT = "SC Phone Lift Maintenance";
const ITEM = "SC Phone Lift";
const OTHER_ITEM = "SC Phone Gate";
const SITE = "SC Phone Tower";
const OTHER_SITE = "SC Phone Car Park";
const DESCRIPTION = "SC phone tour: the lift stops between two floors";

/** Nothing sticks out sideways: the page does not scroll horizontally. */
function assertNoSidewaysScroll() {
    const width = document.scrollingElement.scrollWidth;
    if (width > window.innerWidth) {
        throw new Error(`The page is ${width} px wide for ${window.innerWidth} px`);
    }
}

/** ``selector`` is shown, inside the screen's width. */
function assertInView(selector) {
    for (const el of queryAll(selector)) {
        const box = el.getBoundingClientRect();
        if (!box.width || box.left < 0 || box.right > window.innerWidth) {
            throw new Error(`${selector} is off screen (${box.left}-${box.right})`);
        }
    }
}

/** The option of the equipment select that names ``item``. */
const itemOption = (item) =>
    [...queryOne("#breakdown_equipment").options].find((o) => o.textContent.includes(item));

/** Choose ``value`` in ``select``, as the customer does. */
function choose(select, value) {
    const el = queryOne(select);
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
}

const openTile = (url) => [
    {
        content: "Back to the portal's home",
        trigger: ".o_portal_submenu a[href='/my/home']",
        run: "click",
    },
    {
        content: `Open ${url}`,
        trigger: `.o_portal_index_card a[href='${url}']`,
        run: "click",
    },
];

registry.category("web_tour.tours").add("service_contract_portal_phone_tour", {
    steps: () => [
        {
            content: "Each tile has its own icon",
            trigger: ".o_portal_index_card a[href='/my/contracts'] .o_portal_icon img[src$='portal_contract.svg']",
        },
        {
            content: "Open the contracts",
            trigger: ".o_portal_index_card a[href='/my/contracts']",
            run: "click",
        },
        {
            content: "The contracts are cards, nothing sticks out",
            trigger: `.o_sc_portal_cards tr.o_service_contract_row:contains('${CONTRACT}')`,
            run() {
                assertNoSidewaysScroll();
                assertInView(".o_service_contract_row td");
                if (queryOne(".o_sc_portal_cards thead").getBoundingClientRect().height) {
                    throw new Error("The table header is shown on a phone");
                }
            },
        },
        {
            content: "Open the contract",
            trigger: `.o_service_contract_row:contains('${CONTRACT}') a`,
            run: "click",
        },
        {
            content: "The next visit: its local date and its status in view",
            trigger: "#next_visits .o_service_next_visit .o_sc_visit_date:contains('08:30')",
            run() {
                assertNoSidewaysScroll();
                assertInView("#next_visits .o_sc_visit_date, #next_visits .o_sc_visit_state .badge");
            },
        },
        {
            content: "The visit done: its date and its report in view",
            trigger: "#interventions .o_service_done_visit .o_sc_visit_report a",
            run() {
                assertInView("#interventions .o_sc_visit_date, #interventions .o_sc_visit_report a");
            },
        },
        ...openTile("/my/interventions"),
        {
            content: "The visits are cards: date, status and report in view",
            trigger: ".o_service_intervention_row .o_sc_visit_report a",
            run() {
                assertNoSidewaysScroll();
                assertInView(
                    ".o_service_intervention_row .o_sc_visit_date, .o_service_intervention_row .o_sc_visit_state .badge, .o_service_intervention_row .o_sc_visit_report a"
                );
            },
        },
        ...openTile("/my/equipment"),
        {
            content: "Open the lift",
            trigger: `.o_service_equipment_row a:contains('${ITEM}')`,
            run() {
                assertNoSidewaysScroll();
                queryOne(`.o_service_equipment_row a:contains('${ITEM}')`).click();
            },
        },
        {
            content: "Report a breakdown on it",
            trigger: `.o_service_equipment_page:contains('${ITEM}') a.o_equipment_report_breakdown`,
            run: "click",
        },
        {
            content: "The lift is chosen; the list shows its site's items only",
            trigger: "#breakdown_equipment",
            run() {
                const chosen = queryOne("#breakdown_equipment").selectedOptions[0];
                if (!chosen.textContent.includes(ITEM)) {
                    throw new Error(`The lift is not chosen (${chosen.textContent})`);
                }
                if (!itemOption(OTHER_ITEM).hidden) {
                    throw new Error("An item of another site is offered");
                }
            },
        },
        {
            content: "Choose no site: every item is offered",
            trigger: "#breakdown_site",
            run() {
                choose("#breakdown_site", "");
                if (itemOption(OTHER_ITEM).hidden) {
                    throw new Error("Without a site, every item is offered");
                }
            },
        },
        {
            content: "Choose the gate, then the lift: each chooses its site",
            trigger: "#breakdown_equipment",
            run() {
                for (const [item, site] of [
                    [OTHER_ITEM, OTHER_SITE],
                    [ITEM, SITE],
                ]) {
                    choose("#breakdown_equipment", itemOption(item).value);
                    const chosen = queryOne("#breakdown_site").selectedOptions[0];
                    if (!chosen.textContent.includes(site)) {
                        throw new Error(`${item}: ${site} is not chosen`);
                    }
                }
            },
        },
        {
            content: "Describe the breakdown, without touching the site",
            trigger: "#breakdown_description",
            run: `edit ${DESCRIPTION}`,
        },
        {
            content: "Send it",
            trigger: ".o_service_breakdown_form button[type=submit]",
            run: "click",
        },
        {
            content: "The deadline is a local date, as the customer writes it",
            trigger: "#breakdown_done .o_breakdown_deadline",
            run() {
                assertNoSidewaysScroll();
                const text = queryOne("#breakdown_done .o_breakdown_deadline").textContent;
                if (!/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(text.trim())) {
                    throw new Error(`The deadline reads "${text}"`);
                }
            },
        },
    ],
});
