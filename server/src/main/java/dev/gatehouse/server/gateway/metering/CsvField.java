package dev.gatehouse.server.gateway.metering;

/**
 * One CSV text field, per RFC 4180 and safe to open in a spreadsheet (see {@link ExportFormat#CSV}).
 * Stateless.
 */
final class CsvField {
    private CsvField() {}

    static String of(String value) {
        String guarded = startsLikeAFormula(value) ? "'" + value : value;
        if (guarded.indexOf(',') < 0 && guarded.indexOf('"') < 0 && guarded.indexOf('\r') < 0
                && guarded.indexOf('\n') < 0) {
            return guarded;
        }
        return '"' + guarded.replace("\"", "\"\"") + '"';
    }

    private static boolean startsLikeAFormula(String value) {
        return !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0;
    }
}
