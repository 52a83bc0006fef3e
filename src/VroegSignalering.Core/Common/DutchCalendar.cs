namespace VroegSignalering.Core.Common;

/// <summary>
/// Dates as Dutch municipalities count them: the local date in Europe/Amsterdam, working days without
/// weekends and the generally recognised public holidays of the Algemene termijnenwet (art. 3):
/// Nieuwjaarsdag, tweede Paasdag, Koningsdag, 5 mei, Hemelvaartsdag, tweede Pinksterdag and both Kerstdagen.
/// </summary>
public static class DutchCalendar
{
    private static readonly TimeZoneInfo Amsterdam = FindAmsterdam();

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Amsterdam).DateTime);

    public static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Amsterdam).DateTime);

    public static bool IsWorkingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !IsPublicHoliday(date);

    /// <summary>The date <paramref name="days"/> working days after <paramref name="start"/> (start itself not counted).</summary>
    public static DateOnly AddWorkingDays(DateOnly start, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var date = start;
        while (days > 0)
        {
            date = date.AddDays(1);
            if (IsWorkingDay(date))
            {
                days--;
            }
        }

        return date;
    }

    /// <summary>A term ending on a weekend or holiday runs to the next working day (Algemene termijnenwet art. 1).</summary>
    public static DateOnly NextWorkingDayOnOrAfter(DateOnly date)
    {
        while (!IsWorkingDay(date))
        {
            date = date.AddDays(1);
        }

        return date;
    }

    public static bool IsPublicHoliday(DateOnly date)
    {
        var easter = EasterSunday(date.Year);
        return (date.Month, date.Day) switch
        {
            (1, 1) => true,
            (12, 25) or (12, 26) => true,
            (5, 5) => true,
            _ => date == KingsDay(date.Year)
                 || date == easter.AddDays(1)   // tweede Paasdag
                 || date == easter.AddDays(39)  // Hemelvaartsdag
                 || date == easter.AddDays(50), // tweede Pinksterdag
        };
    }

    /// <summary>27 April, or 26 April when the 27th is a Sunday.</summary>
    public static DateOnly KingsDay(int year)
    {
        var d = new DateOnly(year, 4, 27);
        return d.DayOfWeek == DayOfWeek.Sunday ? d.AddDays(-1) : d;
    }

    /// <summary>Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private static TimeZoneInfo FindAmsterdam()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        }
        catch (TimeZoneNotFoundException)
        {
            // Without tzdata: CET/CEST with the EU rules (last Sunday of March/October, 01:00 UTC).
            var start = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday);
            var end = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 10, 5, DayOfWeek.Sunday);
            var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(DateTime.MinValue.Date, DateTime.MaxValue.Date, TimeSpan.FromHours(1), start, end);
            return TimeZoneInfo.CreateCustomTimeZone("Europe/Amsterdam", TimeSpan.FromHours(1), "Europe/Amsterdam", "CET", "CEST", [rule]);
        }
    }
}
