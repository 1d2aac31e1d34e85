import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { DateTimeField, dateField } from "@web/views/fields/datetime/datetime_field";

/**
 * A date that stands for its month (the values of a price index): shown as
 * "08/2023" and picked in a month picker.
 */
export class MonthField extends DateTimeField {
    getFormattedValue(valueIndex) {
        const value = this.values[valueIndex];
        return value ? value.toFormat("MM/yyyy") : "";
    }
}

export const monthField = {
    ...dateField,
    component: MonthField,
    displayName: _t("Month"),
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...dateField.extractProps(fieldInfo, dynamicInfo),
        minPrecision: "months",
    }),
};

registry.category("fields").add("service_month", monthField);
