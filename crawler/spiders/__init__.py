"""One spider class per CMS family; a source (registry line) picks its class by ``family``."""

from crawler.spiders.anhui_openness import AnhuiOpennessSpider
from crawler.spiders.generic import GenericSpider
from crawler.spiders.gkmlpt import GkmlptSpider
from crawler.spiders.hanweb_jcms import HanwebJcmsSpider
from crawler.spiders.hanweb_xxgk import HanwebXxgkSpider
from crawler.spiders.jiyue_shtml import JiyueShtmlSpider
from crawler.spiders.json_api import JsonApiSpider
from crawler.spiders.shaanxi_snowflake import ShaanxiSnowflakeSpider
from crawler.spiders.trs_wcm import TrsWcmSpider
from crawler.spiders.vsb import VsbSpider

SPIDERS = {cls.family: cls for cls in (HanwebJcmsSpider, TrsWcmSpider, VsbSpider, GkmlptSpider,
                                       JsonApiSpider, GenericSpider, AnhuiOpennessSpider, JiyueShtmlSpider,
                                       ShaanxiSnowflakeSpider, HanwebXxgkSpider)}
