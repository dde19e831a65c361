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

/* Numbers are typed as they are shown: in the language of the user.
 *
 * sao 8.0.11 shows the value of an Integer, Float or Numeric field in the
 * user's language (Sao.field.Float.get_client: toLocaleString, "2,25" in
 * French) but edits it in an <input type="number"> (integer_input in
 * src/view/form.js), which the browser parses in its own locale: Chromium
 * ignores the lang="fr" sao sets on the input and uses the locale of its
 * user interface.  In a browser whose locale is English (Debian's chromium
 * without chromium-l10n whatever --lang says, or any English browser of a
 * French-speaking user) "2,25" typed in an hours quantity was read with ","
 * as the thousands separator: 225 was saved, silently.  The editing input
 * becomes a text input (inputmode: the numeric keyboard of a phone) whose
 * text is read with the separators of the user's language: the grouping
 * separator (and any space) dropped where it separates thousands, its
 * decimal separator taken for the point; in French a point is a decimal
 * point too (the numeric keypad's); a text that is no number in the
 * language leaves the field empty, as the number input did.
 */
(function() {
    'use strict';
    var Integer = Sao.View.Form.Integer.prototype;

    var separators = function() {
        var result = {group: ',', decimal: '.'};
        var lang = Sao.i18n.BC47(Sao.i18n.getlang());
        new Intl.NumberFormat(lang).formatToParts(12345.6).forEach(
            function(part) {
                if (part.type == 'group' || part.type == 'decimal') {
                    result[part.type] = part.value;
                }
            });
        return result;
    };

    // The text typed in the user's language as a number for Number() and
    // Sao.Decimal; '' when it is not a number, a grouping separator out of
    // place included ("2,25" in English is not 225)
    Sao.common.parse_typed_number = function(text) {
        var sep = separators();
        text = (text || '').replace(/[\s\u00a0\u202f]/g, '');
        if (sep.group.trim() && text.includes(sep.group)) {
            var parts = text.split(sep.decimal);
            var groups = parts[0].split(sep.group);
            if (!/^[-+]?\d{1,3}$/.test(groups[0])
                || groups.slice(1).some(group => !/^\d{3}$/.test(group))) {
                return '';
            }
            parts[0] = groups.join('');
            text = parts.join(sep.decimal);
        }
        if (sep.decimal != '.') {
            text = text.split(sep.decimal).join('.');
        }
        return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? text : '';
    };

    var init = Integer.init;
    Integer.init = function(view, attributes) {
        init.call(this, view, attributes);
        this.input.attr('type', 'text');
        this.input.attr('inputmode',
            this instanceof Sao.View.Form.Float ? 'decimal' : 'numeric');
    };

    Integer.get_value = function() {
        return Sao.common.parse_typed_number(this.input.val());
    };

    var display = Integer.display;
    Integer.display = function() {
        display.apply(this, arguments);
        // The value to edit (a number as JavaScript writes it) with the
        // decimal separator of the user's language
        var decimal = separators().decimal;
        this.input.val(String(this.input.val()).replace('.', decimal));
    };
}());
