/* Site customisation of the web client tryton-sao 8.0.11, loaded by its
 * index.html from the web root (bin/setup copies this file to
 * .local/sao/custom.js).
 *
 * A selection widget of a form refills its options on every display and
 * sets its value only in a later tick (jQuery 3's then() is asynchronous).
 * A form read in between took the first option as the field's value: in a
 * contract, typing a line's quantity and clicking New on the lines made
 * the contract's role "Auxiliary Collaborator" (the New button validates
 * the parent form, which reads every widget).  Select the record's value
 * as soon as the options are refilled.
 */
(function() {
    'use strict';
    var Selection = Sao.View.Form.Selection.prototype;
    var set_selection = Selection.set_selection;
    Selection.set_selection = function(selection, help) {
        set_selection.call(this, selection, help);
        var record = this.record;
        var field = this.field;
        if (!record || !field) {
            return;
        }
        var value = JSON.stringify(field.get(record));
        var known = this.select.children('option').filter(function() {
            return this.value === value;
        });
        if (known.length) {
            this.select.val(value);
        }
    };
}());
