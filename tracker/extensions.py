"""Flask extensions, created once here and bound to the app in create_app."""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tracker.models import Base

db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskModel

    # what db.Model is at run time, as a class mypy can subclass (it takes no attribute as a base,
    # python/mypy#8603): the models subclass Model
    class Model(FlaskModel, Base):
        __abstract__ = True

else:
    Model = db.Model

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# limits only the routes that ask (sign-in: tracker/auth/throttle.py); storage from RATELIMIT_STORAGE_URI
limiter = Limiter(key_func=get_remote_address)
