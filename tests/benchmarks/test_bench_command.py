from benchmarks.management.commands.bench import collected


def test_bench_collects_every_area_module():
    names = {benchmark.__name__ for benchmark in collected()}
    assert {
        "bench_import_10k",
        "bench_import_20mb",
        "bench_rejection_files_10k",
        "bench_list_pages",
        "reminders_100k",
        "bulletin_pdf_ms",
        "dispensations_daily_10k",
        "login_time",
        "member_space_pages",
    } <= names
