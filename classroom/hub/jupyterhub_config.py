# JupyterHub for a workshop on one server. `python3 kit.py hub` writes the settings (ports,
# passwords, limits, the state folder) and starts JupyterHub with this file; what each setting
# does is in classroom/class_hub.py. Add your own settings below the call: they override it.
import os

from classroom.class_hub import SETTINGS_ENV, HubSettings, configure

c = get_config()  # noqa: F821 (JupyterHub provides get_config)
configure(c, HubSettings.load(os.environ[SETTINGS_ENV]))
