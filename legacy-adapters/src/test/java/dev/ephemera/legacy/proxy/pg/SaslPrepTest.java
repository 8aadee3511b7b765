package dev.ephemera.legacy.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.legacy.proxy.pg.SaslPrep.Prepared;
import dev.ephemera.legacy.proxy.pg.SaslPrep.Reading;
import dev.ephemera.legacy.proxy.pg.SaslPrep.Refused;
import dev.ephemera.legacy.proxy.pg.SaslPrep.Violation;
import org.junit.jupiter.api.Test;

class SaslPrepTest {

    /** The examples of RFC 4013 section 3, which hold for both of its readings. */
    @Test
    void theRfc4013ExamplesHold() {
        for (Reading reading : new Reading[] {Reading.STORED, Reading.QUERY}) {
            assertThat(SaslPrep.prepare("I\u00ADX", reading)).isEqualTo(new Prepared("IX")); // soft hyphen mapped to nothing
            assertThat(SaslPrep.prepare("user", reading)).isEqualTo(new Prepared("user"));
            assertThat(SaslPrep.prepare("USER", reading)).isEqualTo(new Prepared("USER")); // case preserved
            assertThat(SaslPrep.prepare("\u00AA", reading)).isEqualTo(new Prepared("a")); // NFKC
            assertThat(SaslPrep.prepare("\u2168", reading)).isEqualTo(new Prepared("IX")); // NFKC
            assertThat(SaslPrep.prepare("\u0007", reading)).isEqualTo(new Refused(Violation.PROHIBITED));
            assertThat(SaslPrep.prepare("\u0627\u0031", reading)).isEqualTo(new Refused(Violation.BIDI));
        }
    }

    @Test
    void nonAsciiSpacesBecomeSpaceAndZeroWidthCharactersVanish() {
        assertThat(SaslPrep.prepare("a\u00A0b\u3000c\u200Bd", Reading.STORED)).isEqualTo(new Prepared("a b c d"));
        assertThat(SaslPrep.prepare("a\u200Db\uFEFFc\uFE0F", Reading.STORED)).isEqualTo(new Prepared("abc"));
    }

    @Test
    void eachProhibitedTableIsRefused() {
        // C.2.1, C.2.2, C.3, C.4, C.5 (a lone surrogate), C.6, C.7, C.8, C.9
        for (String prohibited : new String[] {"\u007F", "\u0080", "\uE000", "\uFDD0", "\uD800", "\uFFFD", "\u2FF0", "\u202E",
                new String(Character.toChars(0xE0041))}) {
            assertThat(SaslPrep.prepare("ok" + prohibited, Reading.QUERY)).as("U+%04X", prohibited.codePointAt(0))
                    .isEqualTo(new Refused(Violation.PROHIBITED));
        }
        assertThat(SaslPrep.prepare("ok\u00E9", Reading.QUERY)).isEqualTo(new Prepared("ok\u00E9"));
    }

    /** RFC 4013 section 2.5: unassigned code points are refused in stored strings, allowed in queries. */
    @Test
    void unassignedCodePointsAreRefusedOnlyWhenStored() {
        String unassignedIn32 = "a\u0221"; // assigned in Unicode 4.0, not in 3.2 (table A.1)
        assertThat(SaslPrep.prepare(unassignedIn32, Reading.STORED)).isEqualTo(new Refused(Violation.UNASSIGNED));
        assertThat(SaslPrep.prepare(unassignedIn32, Reading.QUERY)).isEqualTo(new Prepared(unassignedIn32));
        assertThat(SaslPrep.prepare(unassignedIn32, Reading.POSTGRESQL)).isEqualTo(new Refused(Violation.UNASSIGNED));
    }

    /** RFC 3454 section 6: RandALCat text starts and ends with RandALCat and holds no LCat. */
    @Test
    void bidirectionalTextMustBeWellFormed() {
        assertThat(SaslPrep.prepare("\u0627\u0031\u0628", Reading.STORED)).isEqualTo(new Prepared("\u0627\u0031\u0628"));
        assertThat(SaslPrep.prepare("\u0627a\u0628", Reading.STORED)).isEqualTo(new Refused(Violation.BIDI));
        assertThat(SaslPrep.prepare("1\u05D0", Reading.STORED)).isEqualTo(new Refused(Violation.BIDI));
        assertThat(SaslPrep.prepare("abc1", Reading.STORED)).isEqualTo(new Prepared("abc1"));
    }

    /** PostgreSQL checks the mapped string before NFKC, and refuses a string that maps to nothing. */
    @Test
    void postgresqlChecksBeforeNormalising() {
        assertThat(SaslPrep.prepare("\u05D0\u2122\u05D0", Reading.POSTGRESQL)).isEqualTo(new Prepared("\u05D0TM\u05D0"));
        assertThat(SaslPrep.prepare("\u05D0\u2122\u05D0", Reading.STORED)).isEqualTo(new Refused(Violation.BIDI));
        assertThat(SaslPrep.prepare("a\u0340", Reading.POSTGRESQL)).isEqualTo(new Refused(Violation.PROHIBITED));
        assertThat(SaslPrep.prepare("a\u0340", Reading.STORED)).isEqualTo(new Prepared("\u00E0"));
        assertThat(SaslPrep.prepare("\u00AD", Reading.POSTGRESQL)).isEqualTo(new Refused(Violation.EMPTY));
        assertThat(SaslPrep.prepare("\u00AD", Reading.STORED)).isEqualTo(new Prepared(""));
    }

    @Test
    void theScramPasswordIsThePreparedOneOrElseTheInputUnchanged() {
        assertThat(SaslPrep.postgresScramPassword("pass\u00ADword")).isEqualTo("password");
        assertThat(SaslPrep.postgresScramPassword("pass\u00ADword\u0007")).isEqualTo("pass\u00ADword\u0007");
        assertThat(SaslPrep.postgresScramPassword("\u00AD")).isEqualTo("\u00AD");
        assertThat(SaslPrep.postgresScramPassword("plain-ascii_~")).isEqualTo("plain-ascii_~");
    }

    @Test
    void aPreparedValueIsNeverShown() {
        assertThat(new Prepared("hunter2").toString()).doesNotContain("hunter2");
    }

    @Test
    void rangesMustBeAscendingAndDisjoint() {
        assertThatThrownBy(() -> new StringprepTables.Ranges(0x10, 0x20, 0x20, 0x30)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StringprepTables.Ranges(0x20, 0x10)).isInstanceOf(IllegalArgumentException.class);
        StringprepTables.Ranges ranges = new StringprepTables.Ranges(0x10, 0x10, 0x20, 0x2F);
        assertThat(ranges.contains(0x10)).isTrue();
        assertThat(ranges.contains(0x11)).isFalse();
        assertThat(ranges.contains(0x25)).isTrue();
        assertThat(ranges.contains(0x2F)).isTrue();
        assertThat(ranges.contains(0x30)).isFalse();
        assertThat(ranges.contains(0x0F)).isFalse();
    }
}
