/** Carrier facts ShipmentBooked carries that a dispatch snapshot may lack (kept by store/booking-facts.ts for the ASN). */
export interface BookingFacts {
  carrierCode: string | null;
  trackingNumber: string | null;
  bookingRef: string | null;
  packageTrackingNumbers: Record<string, string>;
}
