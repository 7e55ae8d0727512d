#!/bin/sh
# ----------------------------------------------------------------------------
#  Start script (excerpt)
# ----------------------------------------------------------------------------
java_version=$("$JAVACMD" -version 2>&1 | awk -F '"' '/version/ {print $2}')
java_version_formatted=$(echo "$java_version" | awk -F. '{printf("%02d%02d",$1,$2);}')
if [ $java_version_formatted -lt 0107 ] || [ $java_version_formatted -gt 1100 ]; then
   echo " Starting WSO2 Carbon (in unsupported JDK)"
   echo " [ERROR] CARBON is supported only between JDK 11 and JDK 21"
fi
