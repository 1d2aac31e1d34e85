"""Reading the monthly observations of an SDMX 2.1 data message, as INSEE's
BDM web service returns them (no ORM: easy to test on a recorded response).

Structure-specific data (INSEE's default)::

    <message:StructureSpecificData ...>
      <message:DataSet ...>
        <Series IDBANK="001710986" FREQ="M" ...>
          <Obs TIME_PERIOD="2023-08" OBS_VALUE="130.4" OBS_STATUS="A" .../>

Generic data::

    <generic:Series>
      <generic:Obs>
        <generic:ObsDimension value="2023-08"/>
        <generic:ObsValue value="130.4"/>
"""

import math
import re
from datetime import date

from lxml import etree

MONTH_PERIOD = re.compile(r"^(\d{4})-M?(0[1-9]|1[0-2])$")


class SdmxError(ValueError):
    """The content is not an SDMX data message that can be read."""


def _local(tag):
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _observation(element):
    """(period, value) of an Obs element, either flavour."""
    period = element.get("TIME_PERIOD")
    value = element.get("OBS_VALUE")
    for child in element:
        name = _local(child.tag)
        if name == "ObsDimension":
            period = child.get("value")
        elif name == "ObsValue":
            value = child.get("value")
    return period, value


def parse_monthly_observations(content):
    """[(first day of the month, value)] of the monthly observations found,
    sorted by month. Missing values (NaN, empty) and periods that are not
    months (quarters, years) are left out.

    :param content: the XML message, bytes or str
    :raise SdmxError: when the content is not XML or holds no data set
    """
    if isinstance(content, str):
        content = content.encode()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        raise SdmxError(str(error)) from error
    if not any(_local(element.tag) == "DataSet" for element in root.iter()):
        raise SdmxError("no DataSet element")
    observations = {}
    for element in root.iter():
        if _local(element.tag) != "Obs":
            continue
        period, value = _observation(element)
        match = MONTH_PERIOD.match((period or "").strip())
        if not match:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isnan(number) or math.isinf(number):
            continue
        month = date(int(match[1]), int(match[2]), 1)
        observations[month] = number
    return sorted(observations.items())
