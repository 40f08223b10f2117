"""`python -m cms` and the `cms` script both start here.

cms.cli is imported inside main(), not at the top: each `cms serve --workers N` worker is a
new Python process that first runs this file again (multiprocessing's spawn re-runs the
parent's main script) and answers uvicorn's health ping only after that. Importing cms.cli
there would import all of cms before the first ping; this way a worker answers in a fraction
of a second, and imports the app after.
"""


def main() -> None:
    from cms.cli import app

    app(prog_name="cms")


if __name__ == "__main__":
    main()
