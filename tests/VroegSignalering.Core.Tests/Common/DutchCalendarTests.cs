using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Tests.Common;

public class DutchCalendarTests
{
    private static DateOnly D(int year, int month, int day) => new(year, month, day);

    [Theory]
    [InlineData(2000, 4, 23)]
    [InlineData(2008, 3, 23)]
    [InlineData(2011, 4, 24)]
    [InlineData(2019, 4, 21)]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2026, 4, 5)]
    [InlineData(2027, 3, 28)]
    [InlineData(2028, 4, 16)]
    [InlineData(2038, 4, 25)]
    public void Easter_sunday_is_computed_for_known_years(int year, int month, int day)
    {
        Assert.Equal(D(year, month, day), DutchCalendar.EasterSunday(year));
    }

    [Theory]
    [InlineData(2026, 27)]
    [InlineData(2030, 27)]
    [InlineData(2025, 26)]
    [InlineData(2014, 26)]
    [InlineData(2031, 26)]
    public void Kings_day_is_27_april_or_26_april_when_the_27th_is_a_sunday(int year, int day)
    {
        Assert.Equal(D(year, 4, day), DutchCalendar.KingsDay(year));
    }

    public static TheoryData<DateOnly, string> Holidays2026 => new()
    {
        { D(2026, 1, 1), "Nieuwjaarsdag" },
        { D(2026, 4, 6), "tweede Paasdag" },
        { D(2026, 4, 27), "Koningsdag" },
        { D(2026, 5, 5), "5 mei" },
        { D(2026, 5, 14), "Hemelvaartsdag" },
        { D(2026, 5, 25), "tweede Pinksterdag" },
        { D(2026, 12, 25), "eerste Kerstdag" },
        { D(2026, 12, 26), "tweede Kerstdag" },
        { D(2025, 4, 26), "Koningsdag 2025 (27 april is a Sunday)" },
        { D(2025, 5, 29), "Hemelvaartsdag 2025" },
        { D(2027, 3, 29), "tweede Paasdag 2027" },
        { D(2027, 5, 5), "5 mei 2027 (not only in lustrum years)" },
    };

    [Theory]
    [MemberData(nameof(Holidays2026))]
    public void The_algemene_termijnenwet_holidays_are_public_holidays(DateOnly date, string name)
    {
        Assert.True(DutchCalendar.IsPublicHoliday(date), name);
        Assert.False(DutchCalendar.IsWorkingDay(date), name);
    }

    public static TheoryData<DateOnly, string> OrdinaryDays => new()
    {
        { D(2026, 4, 3), "Goede Vrijdag is not in the Algemene termijnenwet" },
        { D(2026, 4, 28), "the day after Koningsdag" },
        { D(2025, 4, 28), "Monday after a Sunday 27 April: the holiday moves back, not forward" },
        { D(2026, 12, 24), "Kerstavond" },
        { D(2026, 12, 31), "Oudejaarsdag" },
        { D(2026, 5, 15), "the Friday after Hemelvaartsdag" },
        { D(2026, 11, 20), "an ordinary Friday" },
    };

    [Theory]
    [MemberData(nameof(OrdinaryDays))]
    public void Other_weekdays_are_working_days(DateOnly date, string why)
    {
        Assert.False(DutchCalendar.IsPublicHoliday(date), why);
        Assert.True(DutchCalendar.IsWorkingDay(date), why);
    }

    [Theory]
    [InlineData(2026, 11, 21)]
    [InlineData(2026, 11, 22)]
    [InlineData(2026, 4, 5)]
    [InlineData(2026, 5, 24)]
    public void Weekends_are_not_working_days(int year, int month, int day)
    {
        Assert.False(DutchCalendar.IsWorkingDay(D(year, month, day)));
    }

    [Theory]
    [InlineData("2026-11-16", 1, "2026-11-17")]
    [InlineData("2026-11-20", 1, "2026-11-23")]
    [InlineData("2026-11-20", 3, "2026-11-25")]
    [InlineData("2026-11-21", 3, "2026-11-25")]
    [InlineData("2026-12-23", 3, "2026-12-29")]
    [InlineData("2026-12-24", 1, "2026-12-28")]
    [InlineData("2026-12-30", 3, "2027-01-05")]
    [InlineData("2026-12-31", 1, "2027-01-04")]
    [InlineData("2026-05-13", 3, "2026-05-19")]
    [InlineData("2026-04-02", 3, "2026-04-08")]
    [InlineData("2026-04-23", 3, "2026-04-29")]
    [InlineData("2026-05-01", 3, "2026-05-07")]
    [InlineData("2026-05-21", 3, "2026-05-27")]
    [InlineData("2026-11-20", 20, "2026-12-18")]
    public void Working_days_are_added_skipping_weekends_and_holidays(string start, int days, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            DutchCalendar.AddWorkingDays(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), days));
    }

    [Fact]
    public void Adding_zero_working_days_keeps_the_start_even_on_a_holiday()
    {
        Assert.Equal(D(2026, 12, 25), DutchCalendar.AddWorkingDays(D(2026, 12, 25), 0));
    }

    [Fact]
    public void Adding_a_negative_number_of_working_days_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DutchCalendar.AddWorkingDays(D(2026, 11, 20), -1));
    }

    [Theory]
    [InlineData("2026-11-20", "2026-11-20")]
    [InlineData("2026-11-21", "2026-11-23")]
    [InlineData("2026-12-25", "2026-12-28")]
    [InlineData("2027-01-01", "2027-01-04")]
    [InlineData("2026-05-14", "2026-05-15")]
    [InlineData("2026-04-27", "2026-04-28")]
    [InlineData("2026-04-04", "2026-04-07")]
    public void A_term_ending_on_a_weekend_or_holiday_runs_to_the_next_working_day(string date, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            DutchCalendar.NextWorkingDayOnOrAfter(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("2026-06-30T22:30:00Z", "2026-07-01")]
    [InlineData("2026-06-30T21:59:59Z", "2026-06-30")]
    [InlineData("2026-12-31T23:30:00Z", "2027-01-01")]
    [InlineData("2026-12-31T22:59:59Z", "2026-12-31")]
    public void Today_is_the_local_date_in_amsterdam(string utc, string expected)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
        var expectedDate = DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expectedDate, DutchCalendar.Today(time));
        Assert.Equal(expectedDate, DutchCalendar.LocalDate(time.GetUtcNow()));
    }

    [Fact]
    public void Today_follows_the_time_provider_across_midnight()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 22, 59, 0, TimeSpan.Zero));
        Assert.Equal(D(2026, 11, 20), DutchCalendar.Today(time));

        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(D(2026, 11, 21), DutchCalendar.Today(time));
    }
}
