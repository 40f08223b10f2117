from cms.cli import app

app(prog_name="cms")
