/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * The breakdown form of the portal: the equipment list shows the items of
 * the chosen site (and those without a site); choosing an item chooses its
 * site. Without JavaScript the server does the same: the site is taken from
 * the item, and a site that contradicts it is refused.
 */
publicWidget.registry.ServiceBreakdownForm = publicWidget.Widget.extend({
    selector: ".o_service_breakdown_form",
    events: {
        "change select[name='site_id']": "_onSiteChange",
        "change select[name='equipment_id']": "_onEquipmentChange",
    },

    start() {
        this.siteSelect = this.el.querySelector("select[name='site_id']");
        this.equipmentSelect = this.el.querySelector("select[name='equipment_id']");
        this._filterEquipment();
        return this._super(...arguments);
    },

    _onSiteChange() {
        this._filterEquipment();
    },

    _onEquipmentChange() {
        const option = this.equipmentSelect.selectedOptions[0];
        const siteId = option && option.dataset.siteId;
        if (siteId && this.siteSelect) {
            this.siteSelect.value = siteId;
            this._filterEquipment();
        }
    },

    /** Show only the items of the chosen site (all when none is chosen). */
    _filterEquipment() {
        if (!this.siteSelect || !this.equipmentSelect) {
            return;
        }
        const siteId = this.siteSelect.value;
        for (const option of this.equipmentSelect.options) {
            const itemSite = option.dataset.siteId;
            const hidden = Boolean(siteId && itemSite && itemSite !== siteId);
            option.hidden = hidden;
            option.disabled = hidden;
            if (hidden && option.selected) {
                this.equipmentSelect.value = "";
            }
        }
    },
});
