/** The regression check: each cell's AP against a baseline's, with a tolerance in AP points. */
package org.detrkd.reports.check;
