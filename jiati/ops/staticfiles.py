"""collectstatic without the front-end packages' unused bundles.

The npm packages ship every build (echarts alone: 51 MB of ES-module, "common", "simple" and unminified builds and
their source maps); pages use the minified bundles only. Compressing all of it for whitenoise took minutes on every
`bin/demo` start and deploy.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        "echarts.js",
        "echarts.js.map",
        "echarts.esm*",
        "echarts.common*",
        "echarts.simple*",
        "extension",
        "bootstrap.js*",
        "bootstrap.esm*",
        "bootstrap.bundle.js*",
        "bootstrap-grid*",
        "bootstrap-reboot*",
        "bootstrap-utilities*",
        "bootstrap.rtl*",
        "bootstrap.css*",
    ]
