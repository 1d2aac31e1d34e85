/** @odoo-module **/

import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Steps the back-office tours share. */

/** From the home menu, open the Contracts app (Odoo's own steps). */
export const openContractsApp = () =>
    stepUtils.goToAppSteps("service_contract.service_contract_menu_root", "Open the Contracts app");

/** Open the menu ``item`` of the top menu ``section`` (xmlids of the module). */
export const openMenu = (section, item) => [
    {
        content: `Open the ${section} menu`,
        trigger: `.o_menu_sections button[data-menu-xmlid='service_contract.${section}']`,
        run: "click",
    },
    {
        content: `Open ${item}`,
        trigger: `.dropdown-item[data-menu-xmlid='service_contract.${item}']`,
        run: "click",
    },
];
