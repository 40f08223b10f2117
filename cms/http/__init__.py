"""The layers in front of the routes: what every request goes through before any route."""
